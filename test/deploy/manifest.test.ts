import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseManifest } from '../../src/deploy/index.js';
import { RegistryError } from '../../src/domain/index.js';

const valid = `
name: api
version: 1.2.0-rc.1
service:
  ports:
    - { name: http, port: 8080 }
requires:
  commands: [python3]
health:
  script: scripts/health.sh
  interval: 250ms
  timeout: 2m
`;

/** The `fields` a package_invalid error lists, as `path: message`. */
function fieldsOf(text: string): string[] {
  try {
    parseManifest(text);
  } catch (error) {
    assert.ok(error instanceof RegistryError);
    assert.equal(error.code, 'package_invalid');
    const fields = error.details.fields as { path: string; message: string }[];
    return fields.map((f) => `${f.path}: ${f.message}`);
  }
  return assert.fail('the manifest was accepted');
}

describe('parseManifest', () => {
  it('reads a manifest and fills the defaults', () => {
    const manifest = parseManifest(valid);
    assert.equal(manifest.name, 'api');
    assert.equal(manifest.version, '1.2.0-rc.1');
    assert.deepEqual(manifest.service, { type: 'managed_process', ports: [{ name: 'http', port: 8080, protocol: 'tcp' }] });
    assert.deepEqual(manifest.requires, { commands: ['python3'], libraries: [] });
    assert.deepEqual(manifest.depends_on, []);
    assert.deepEqual(manifest.health, { script: 'scripts/health.sh', interval: 250, timeout: 120_000 });
  });

  it('names every bad field', () => {
    const fields = fieldsOf('name: api\nversion: "1.0 beta"\nservice:\n  ports:\n    - { name: http, port: 70000 }\n');
    assert.ok(fields.some((f) => f.startsWith('version: must be 1-64 characters')), fields.join('\n'));
    assert.ok(fields.some((f) => f.startsWith('service.ports[0].port:')), fields.join('\n'));
  });

  it('says a required field is required', () => {
    assert.deepEqual(fieldsOf('version: 1.0.0\n'), ['name: is required']);
  });

  it('rejects unsafe names and versions rather than rewriting them', () => {
    assert.ok(fieldsOf('name: ../etc\nversion: 1.0.0\n')[0]?.startsWith('name: must be'));
    assert.ok(fieldsOf('name: api\nversion: 1.0.0;reboot\n')[0]?.startsWith('version: must be'));
    assert.ok(fieldsOf('name: api\nversion: 1.0.0\nrequires:\n  commands: ["rm -rf /"]\n')[0]?.startsWith('requires.commands[0]: must be'));
  });

  it('refuses unknown keys and a health script outside the package', () => {
    assert.deepEqual(fieldsOf('name: api\nversion: 1.0.0\nsevrice: {}\n'), ['sevrice: unknown key']);
    assert.ok(fieldsOf('name: api\nversion: 1.0.0\nhealth:\n  script: ../x.sh\n')[0]?.startsWith('health.script: must be a relative path'));
  });

  it('reports YAML that does not parse', () => {
    assert.match(fieldsOf('name: [unclosed\n')[0] ?? '', /not valid YAML/);
  });
});
