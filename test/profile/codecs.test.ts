/** Empty data groups (TR-03130-4 card EIDCARD_3): recognised in both encodings, never confused with values. */
import { describe, expect, it } from 'vitest';
import { emptyDataGroup, encodeField, isEmptyDataGroup } from '../../src/profile/codecs.js';

describe('empty data groups', () => {
  it('[APPLICATION dg] without content, or around one element of length 0', () => {
    expect(emptyDataGroup('spouseName').toString('hex')).toBe('6d00');
    expect(isEmptyDataGroup(13, Buffer.from('6d00', 'hex'))).toBe(true);
    expect(isEmptyDataGroup(13, Buffer.from('6d020c00', 'hex'))).toBe(true);
    expect(isEmptyDataGroup(18, Buffer.from('72020400', 'hex'))).toBe(true);
  });

  it('a value, another data group or malformed bytes are not empty', () => {
    expect(isEmptyDataGroup(13, encodeField('spouseName', '王美玲'))).toBe(false);
    expect(isEmptyDataGroup(11, encodeField('sex', 'X'))).toBe(false); // ' ' is a value
    expect(isEmptyDataGroup(14, Buffer.from('6d00', 'hex'))).toBe(false);
    expect(isEmptyDataGroup(13, Buffer.from('6d05', 'hex'))).toBe(false);
  });
});
