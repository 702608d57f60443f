/**
 * An operator's own client PKI, made with openssl as an operator would: CA pairs (a root, an
 * issuing CA under it) and the client certificates they issue, as files in one folder.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

export interface Pair {
  readonly cert: string;
  readonly key: string;
}

/** An operator's PKI made with openssl in `dir`: CA pairs and the client certificates they issue. */
export class OperatorPki {
  constructor(private readonly dir: string) {}

  private file = (name: string): string => join(this.dir, name);

  private async sign(name: string, subject: string, issuer: string | undefined, extensions: string): Promise<Pair> {
    const key = this.file(`${name}.key`);
    const cert = this.file(`${name}.pem`);
    const ext = this.file(`${name}.ext`);
    await writeFile(ext, extensions);
    const serial = `0x${randomBytes(8).toString('hex')}`;
    const newKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-subj', subject];
    if (issuer === undefined) {
      await exec('openssl', ['req', '-x509', ...newKey, '-out', cert, '-days', '30', '-set_serial', serial, '-extensions', 'v3', '-config', await this.reqConfig(extensions)]);
    } else {
      const csr = this.file(`${name}.csr`);
      await exec('openssl', ['req', '-new', ...newKey, '-out', csr]);
      const by = ['-CA', this.file(`${issuer}.pem`), '-CAkey', this.file(`${issuer}.key`)];
      await exec('openssl', ['x509', '-req', '-in', csr, ...by, '-set_serial', serial, '-days', '30', '-out', cert, '-extfile', ext]);
    }
    return { cert: await readFile(cert, 'utf8'), key: await readFile(key, 'utf8') };
  }

  /** A req config whose `v3` section holds `extensions` (self-signed certificates take them from there). */
  private async reqConfig(extensions: string): Promise<string> {
    const path = this.file(`req-${randomBytes(4).toString('hex')}.cnf`);
    await writeFile(path, `[req]\ndistinguished_name = dn\n[dn]\n[v3]\n${extensions}`);
    return path;
  }

  /** Where `name`'s certificate and key are: `<dir>/<name>.pem` and `<dir>/<name>.key`. */
  files(name: string): { readonly certFile: string; readonly keyFile: string } {
    return { certFile: this.file(`${name}.pem`), keyFile: this.file(`${name}.key`) };
  }

  ca(name: string, issuer?: string): Promise<Pair> {
    return this.sign(name, `/O=Example Ops/CN=${name}`, issuer, 'basicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n');
  }

  client(name: string, issuer: string, units: readonly string[], usage = 'extendedKeyUsage = clientAuth\n'): Promise<Pair> {
    const ou = units.map((unit) => `/OU=${unit}`).join('');
    return this.sign(name, `/O=Example Ops${ou}/CN=${name}`, issuer, `basicConstraints = CA:FALSE\nkeyUsage = critical,digitalSignature\n${usage}`);
  }
}
