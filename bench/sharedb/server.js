// The ShareDB reference server for `otter bench --protocol sharedb` (docs/benchmarks.md):
// what a team would pick instead of Otter. ShareDB with the text-unicode OT type and its
// in-memory backend (no durability), over the `ws` package, one JSON message per frame.
//
//   node server.js --port 0 --port-file FILE
//
// Listens on 127.0.0.1 (port 0 picks a free port), writes the bound port to FILE once
// listening, and stops on SIGTERM/SIGINT.
'use strict';

const fs = require('fs');
const http = require('http');
const ShareDB = require('sharedb');
const WebSocket = require('ws');
const WebSocketJSONStream = require('@teamwork/websocket-json-stream');
const textUnicode = require('ot-text-unicode');

function parseArgs(argv) {
  const options = {port: 0, portFile: null};
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--port') options.port = Number(argv[++i]);
    else if (argv[i] === '--port-file') options.portFile = argv[++i];
    else if (argv[i] === '--help') {
      process.stdout.write('usage: node server.js [--port N] [--port-file FILE]\n');
      process.exit(0);
    } else {
      process.stderr.write(`server.js: unknown argument ${argv[i]}\n`);
      process.exit(2);
    }
  }
  return options;
}

const options = parseArgs(process.argv.slice(2));
ShareDB.types.register(textUnicode.type);
const backend = new ShareDB();  // ShareDB.MemoryDB and the in-process pub/sub by default
const server = http.createServer();
const wss = new WebSocket.Server({server, perMessageDeflate: false});

wss.on('connection', (ws) => {
  ws.on('error', () => {});  // a client that vanishes is not the server's failure
  const stream = new WebSocketJSONStream(ws);
  stream.on('error', () => {});
  backend.listen(stream);
});

server.listen(options.port, '127.0.0.1', () => {
  const port = server.address().port;
  if (options.portFile) fs.writeFileSync(options.portFile, `${port}\n`);
  process.stdout.write(`sharedb listening on ws://127.0.0.1:${port}\n`);
});

function stop() {
  for (const client of wss.clients) client.terminate();
  server.close(() => process.exit(0));
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
