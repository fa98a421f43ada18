// The server's own test helpers, reached by relative path (the client never depends on the server).
export { startTestServer, USER_KEY, OTHER_USER_KEY, ADMIN_KEY, type TestServer } from '../../../../apps/server/src/test-support/test-server.js';
export { startChildServer, type ChildServer } from '../../../../apps/server/src/test-support/child-server.js';
export { makePhoto } from '../../../../apps/server/src/test-support/images.js';
