/**
 * From query bytes to response bytes (dns-packet does the wire format): header checks, EDNS0
 * (RFC 6891), the SOA on negative answers (RFC 2308), and truncation on UDP (RFC 2181 §9): what
 * does not fit is dropped, the additional section first, and TC is set only when the answer itself
 * does not fit, so the client asks again over TCP.
 */
import * as packet from 'dns-packet';
import type { Answer, DecodedPacket, OptAnswer, Packet, Question } from 'dns-packet';
import type { ZoneAnswer } from './answers.js';
import { soaRecord } from './records.js';
import type { Zone } from './types.js';

/** The UDP payload this server offers in its OPT record (the 2020 DNS flag day's value: no fragments). */
export const EDNS_UDP_PAYLOAD = 1_232;
/** What a UDP answer may hold when the query carried no OPT record (RFC 1035). */
export const PLAIN_UDP_PAYLOAD = 512;
/** The largest message a TCP length prefix can carry. */
export const MAX_TCP_MESSAGE = 65_535;
const HEADER_BYTES = 12;

/** RCODE values (RFC 1035 §4.1.1, RFC 6891 §9 for BADVERS, which lives partly in the OPT record). */
export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;
type Rcode = keyof typeof RCODE;
const BADVERS_EXTENDED = 1;

const QR = 1 << 15;
const OPCODE_MASK = 0xf << 11;

export type Transport = 'udp' | 'tcp';

/** Answers one parsed question; a throw is SERVFAIL. */
export type QuestionAnswerer = (question: Question) => Promise<ZoneAnswer>;

/** A header-only answer (no question) for a query that could not be read: the same id and opcode. */
export function headerOnly(query: Buffer, rcode: Rcode): Buffer {
  const out = Buffer.alloc(HEADER_BYTES);
  out.writeUInt16BE(query.readUInt16BE(0), 0);
  const rd = query.readUInt16BE(2) & packet.RECURSION_DESIRED;
  out.writeUInt16BE(QR | (query.readUInt16BE(2) & OPCODE_MASK) | rd | RCODE[rcode], 2);
  return out;
}

/** The OPT record we answer with: our payload size, version 0, no DNSSEC. */
const ourOpt = (extendedRcode = 0): OptAnswer => ({
  type: 'OPT',
  name: '.',
  udpPayloadSize: EDNS_UDP_PAYLOAD,
  extendedRcode,
  ednsVersion: 0,
  flags: 0,
  flag_do: false,
  options: [],
});

interface Reply {
  readonly rcode: Rcode;
  readonly authoritative: boolean;
  readonly answers: readonly Answer[];
  readonly authorities: readonly Answer[];
  readonly additionals: readonly Answer[];
}

const bare = (rcode: Rcode, authoritative = false): Reply => ({ rcode, authoritative, answers: [], authorities: [], additionals: [] });

/** Builds and encodes; on UDP, drops what does not fit (additionals first, then TC). */
function encodeReply(query: DecodedPacket, question: Question, reply: Reply, opt: OptAnswer | undefined, limit: number): Buffer {
  const flags = (reply.authoritative ? packet.AUTHORITATIVE_ANSWER : 0) | ((query.flags ?? 0) & packet.RECURSION_DESIRED) | RCODE[reply.rcode];
  const base: Packet = { type: 'response', id: query.id ?? 0, questions: [question] };
  const optional = opt === undefined ? [] : [opt];
  const whole = { ...base, flags, answers: [...reply.answers], authorities: [...reply.authorities], additionals: [...reply.additionals, ...optional] };
  const full = packet.encode(whole);
  if (full.length <= limit) return full;
  const trimmed = packet.encode({ ...whole, additionals: optional });
  if (trimmed.length <= limit) return trimmed;
  return packet.encode({ ...base, flags: flags | packet.TRUNCATED_RESPONSE, answers: [], authorities: [], additionals: optional });
}

function decodeQuery(query: Buffer): DecodedPacket | undefined {
  try {
    return packet.decode(query);
  } catch {
    return undefined;
  }
}

/** The payload a UDP answer may fill: what the client offers, between 512 and what we offer. */
const udpLimit = (opt: OptAnswer | undefined): number =>
  opt === undefined ? PLAIN_UDP_PAYLOAD : Math.min(EDNS_UDP_PAYLOAD, Math.max(PLAIN_UDP_PAYLOAD, opt.udpPayloadSize));

/** What the query's header and sections refuse before the zone is asked, or undefined. */
function refusal(decoded: DecodedPacket, question: Question, opts: readonly OptAnswer[]): Reply | undefined {
  const opcode = ((decoded.flags ?? 0) & OPCODE_MASK) >> 11;
  if (decoded.questions?.length !== 1 || opts.length > 1) return bare('FORMERR');
  if (opcode !== 0) return bare('NOTIMP');
  if (question.class !== 'IN' && question.class !== 'ANY') return bare('REFUSED');
  // No zone transfers: the zone is made on demand from the registry, never copied out whole.
  if (question.type === 'AXFR' || question.type === 'IXFR') return bare('REFUSED');
  return undefined;
}

export interface RespondOptions {
  readonly transport: Transport;
  readonly zone: Zone;
  /** Answers the one question; a throw is SERVFAIL, and is reported to `onError`. */
  readonly answer: QuestionAnswerer;
  readonly onError: (error: unknown) => void;
}

/** The zone's answer to a well-formed question, with the SOA on a negative one; SERVFAIL when asking failed. */
async function zoneReply(question: Question, options: RespondOptions): Promise<Reply> {
  try {
    const zoneAnswer = await options.answer(question);
    const negative = zoneAnswer.rcode === 'NXDOMAIN' || (zoneAnswer.rcode === 'NOERROR' && zoneAnswer.answers.length === 0);
    return {
      rcode: zoneAnswer.rcode,
      authoritative: zoneAnswer.rcode !== 'REFUSED',
      answers: zoneAnswer.answers,
      authorities: negative ? [soaRecord(options.zone)] : [],
      additionals: zoneAnswer.additionals,
    };
  } catch (error) {
    options.onError(error);
    return bare('SERVFAIL');
  }
}

/**
 * The response to `query`, or undefined to send nothing (a response, or fewer bytes than a
 * header: answering those would let a forged source bounce traffic off us).
 */
export async function respond(query: Buffer, options: RespondOptions): Promise<Buffer | undefined> {
  if (query.length < HEADER_BYTES || (query.readUInt16BE(2) & QR) !== 0) return undefined;
  const decoded = decodeQuery(query);
  const question = decoded?.questions?.[0];
  if (decoded === undefined || question === undefined) return headerOnly(query, 'FORMERR');
  const opts = (decoded.additionals ?? []).filter((a): a is OptAnswer => a.type === 'OPT');
  const opt = opts[0];
  const limit = options.transport === 'tcp' ? MAX_TCP_MESSAGE : udpLimit(opt);
  const ours = opt === undefined ? undefined : ourOpt();
  const early = refusal(decoded, question, opts);
  if (early !== undefined) return encodeReply(decoded, question, early, ours, limit);
  if (opt !== undefined && opt.ednsVersion > 0) return encodeReply(decoded, question, bare('NOERROR'), ourOpt(BADVERS_EXTENDED), limit);
  return encodeReply(decoded, question, await zoneReply(question, options), ours, limit);
}
