import { describe, expect, it } from '@jest/globals';
import { advisoryKey, defaultInstanceId, instanceIdProblem, instanceStreamIds, uuidV5 } from './instance-id.js';

describe('instance identity', () => {
  it('derives UUID v5 as RFC 9562 does (DNS namespace, www.example.com)', () => {
    expect(uuidV5('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('gives each instance its own lifecycle-manager and queue streams, the same on every call', () => {
    const a = instanceStreamIds('node-a');
    expect(instanceStreamIds('node-a')).toEqual(a);
    const b = instanceStreamIds('node-b');
    expect(new Set([a.lifecycleManagerId, a.inferenceQueueId, b.lifecycleManagerId, b.inferenceQueueId]).size).toBe(4);
    expect(a.inferenceQueueId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('accepts 1–64 characters of A-Z a-z 0-9 . _ - and names what is wrong otherwise', () => {
    expect(instanceIdProblem('pod-7.eu_west')).toBeUndefined();
    expect(instanceIdProblem('a'.repeat(64))).toBeUndefined();
    expect(instanceIdProblem('')).toMatch(/1–64 characters/);
    expect(instanceIdProblem('a'.repeat(65))).toMatch(/1–64 characters/);
    expect(instanceIdProblem('has space')).toMatch(/got "has space"/);
  });

  it('defaults to a valid id that is stable for one host and folders, and differs for other folders', () => {
    const id = defaultInstanceId({ dataDir: '/srv/mm/data', modelDir: '/srv/mm/models' }, 'web-1.example.com');
    expect(id).toBe(defaultInstanceId({ dataDir: '/srv/mm/data', modelDir: '/srv/mm/models' }, 'web-1.example.com'));
    expect(id).toMatch(/^web-1\.example\.com-[0-9a-f]{8}$/);
    expect(defaultInstanceId({ dataDir: '/srv/mm2/data', modelDir: '/srv/mm/models' }, 'web-1.example.com')).not.toBe(id);
    expect(instanceIdProblem(defaultInstanceId({ dataDir: 'd', modelDir: 'm' }, 'ünïcode host name that is rather long, really quite long indeed'))).toBeUndefined();
  });

  it('keys advisory locks by kind, name and schema, as positive 63-bit integers', () => {
    const k = advisoryKey('instance', 'node-a', 'modelmora');
    expect(BigInt(k)).toBeGreaterThan(0n);
    expect(BigInt(k)).toBeLessThan(2n ** 63n);
    expect(advisoryKey('leader', 'node-a', 'modelmora')).not.toBe(k);
    expect(advisoryKey('instance', 'node-a', 'tenant_b')).not.toBe(k);
  });
});
