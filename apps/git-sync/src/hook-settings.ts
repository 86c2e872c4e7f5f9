import type { Setting } from '@fortune-sidecar/common';

/** A program to run, as upstream takes it: a path or a name looked up in PATH, with no arguments and no shell. */
export const hookCommand: Setting<string> = {
  accepted: 'a program, by path or by a name in PATH, such as /scripts/reload or nginx-reload: no arguments',
  parse(value) {
    if (value.trim() === '') throw new Error('empty');
    // No shell reads it: a space would be taken as part of the program's name, never as an argument.
    if (/\s/.test(value)) throw new Error('contains a space: arguments cannot be given');
    if (value.includes('\0')) throw new Error('contains a NUL character');
    return value;
  },
};

/** Where the webhook is sent: an http:// or https:// URL. */
export const webhookUrl: Setting<string> = {
  accepted: 'an http:// or https:// URL, such as http://localhost:9090/-/reload',
  parse(value) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new Error('not a URL');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:')
      throw new Error(`${url.protocol} is not http: or https:`);
    return value;
  },
};

/** An HTTP method: a token, as RFC 9110 has it; upstream sends whatever is given. */
export const httpMethod: Setting<string> = {
  accepted: 'an HTTP method such as POST, PUT or GET',
  parse(value) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(value)) throw new Error('not an HTTP method');
    return value;
  },
};

/** The status that counts as success: 0 (or upstream's older -1) takes any answer. */
export const successStatus: Setting<number> = {
  accepted: 'an HTTP status from 100 to 599, or 0 (any answer is a success)',
  parse(value) {
    if (!/^-?\d+$/.test(value)) throw new Error('not a whole number');
    const status = Number(value);
    if (status === -1 || status === 0) return 0;
    if (status < 100 || status > 599) throw new Error('out of range');
    return status;
  },
};
