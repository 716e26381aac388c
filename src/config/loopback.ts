/** This machine's loopback addresses, as DSR_HOST names them. */
export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

/** Whether a URL's host name (IPv6 in brackets, as `URL` gives it) is this machine's loopback. */
export const isLoopbackHost = (hostname: string) => LOOPBACK.has(hostname.replace(/^\[(.*)\]$/, '$1'));
