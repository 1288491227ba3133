import {
  BoundedValues, OVERFLOW_VALUE, METHOD_VALUES, capLength, isValidLabelName, methodIndexOf, statusLabel,
} from '../src/labels';

describe('method normalisation', () => {
  test.each([
    ['GET', 'GET'], ['get', 'GET'], ['Patch', 'PATCH'], ['HEAD', 'HEAD'], ['CONNECT', 'CONNECT'],
    ['TRACE', 'TRACE'], ['OPTIONS', 'OPTIONS'], ['PROPFIND', '_OTHER'], ['FOO1', '_OTHER'],
    ['', '_OTHER'], [undefined, '_OTHER'], ['X'.repeat(64), '_OTHER'],
  ])('%s → %s', (method, expected) => {
    expect(METHOD_VALUES[methodIndexOf(method)]).toBe(expected);
  });
});

describe('status label', () => {
  test.each([
    [200, false, '200'], [499, false, '499'], [204, true, '2xx'], [404, true, '4xx'],
    [503, true, '5xx'], [100, true, '1xx'], [999, true, 'unknown'],
  ])('%i grouped=%s → %s', (status, grouped, expected) => {
    expect(statusLabel(status, grouped)).toBe(expected);
  });
});

describe('label names', () => {
  test.each([
    ['tenant', true], ['_x', true], ['a1_b', true], ['1a', false], ['a-b', false], ['__reserved', false], ['', false],
  ])('%s valid=%s', (name, valid) => {
    expect(isValidLabelName(name)).toBe(valid);
  });
});

describe('value caps', () => {
  test('values longer than 256 characters are cut', () => {
    expect(capLength('a'.repeat(300))).toHaveLength(256);
    expect(capLength('short')).toBe('short');
  });

  test('distinct values past the cap become __overflow__, known ones stay', () => {
    const values = new BoundedValues(2);
    expect(values.admit('a')).toBe('a');
    expect(values.admit('b')).toBe('b');
    expect(values.admit('c')).toBe(OVERFLOW_VALUE);
    expect(values.admit('a')).toBe('a');
  });
});
