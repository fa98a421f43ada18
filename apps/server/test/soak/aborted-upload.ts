import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';

/**
 * Starts a genuine multipart upload of `photo` over a raw socket (Content-Length promising the
 * whole body), sends only `fraction` of the body, waits long enough for the server to have opened
 * its temp file, then drops the connection: a browser tab closed mid-upload.
 */
export function abortedUpload(url: string, key: string, photo: Buffer, fraction: number): Promise<void> {
  const { hostname, port, pathname } = new URL(url);
  const boundary = `----soak${randomBytes(8).toString('hex')}`;
  const body = Buffer.concat([
    Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="files"; filename="cut.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`),
    photo,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);
  const head =
    `POST ${pathname} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nAuthorization: Bearer ${key}\r\n` +
    `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${body.length}\r\n\r\n`;
  const cutAt = Math.max(1, Math.floor(body.length * fraction));
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(head);
      socket.write(body.subarray(0, cutAt), () => setTimeout(() => socket.destroy(), 200));
    });
    // The server may answer or reset first; either way the upload was cut, which is the point.
    socket.on('error', () => undefined);
    socket.on('close', () => resolve());
  });
}
