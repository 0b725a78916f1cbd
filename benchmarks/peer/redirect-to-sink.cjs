// Preload for the peer tool `mixpanel-import` (it has no base-URL option): every request it makes to a
// Mixpanel host goes to the loopback sink in MIXPANEL_SINK (e.g. http://127.0.0.1:4567) instead.
// It sends through an undici Pool (default transport) or got over https.request (transport "got"): both are
// redirected. Usage: MIXPANEL_SINK=... node -r ./redirect-to-sink.cjs node_modules/mixpanel-import/index.js ...
'use strict';
const Module = require('module');
const http = require('http');
const https = require('https');

const sink = new URL(process.env.MIXPANEL_SINK || 'http://127.0.0.1:4567');
const MIXPANEL_HOST = /(^|\.)mixpanel\.com$/;

// undici: mixpanel-import builds `new Pool('https://api.mixpanel.com', ...)` at load time.
const originalLoad = Module._load;
Module._load = function (request, parent, isMain) {
  const exported = originalLoad.apply(this, arguments);
  if (request === 'undici' && !exported.__redirectedToSink) {
    const OriginalPool = exported.Pool;
    class SinkPool extends OriginalPool {
      constructor(origin, options) {
        const u = new URL(String(origin));
        super(MIXPANEL_HOST.test(u.hostname) ? sink.origin : origin, options);
      }
    }
    const patched = Object.assign(Object.create(Object.getPrototypeOf(exported)), exported, {
      Pool: SinkPool,
      __redirectedToSink: true,
    });
    return patched;
  }
  return exported;
};

// got: https.request(url, options, callback) with a URL object.
const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
const originalHttpsRequest = https.request;
https.request = function (url, options, callback) {
  const target = url instanceof URL ? url : typeof url === 'string' ? new URL(url) : null;
  const host = target ? target.hostname : (url && (url.hostname || url.host));
  if (!host || !MIXPANEL_HOST.test(String(host).replace(/:\d+$/, ''))) {
    return originalHttpsRequest.apply(this, arguments);
  }
  if (typeof options === 'function') {
    callback = options;
    options = {};
  }
  const base = target ? { path: target.pathname + target.search } : { path: url.path };
  const redirected = Object.assign({}, target ? {} : url, options || {}, base, {
    protocol: 'http:', hostname: sink.hostname, host: sink.hostname, port: sink.port, agent,
  });
  delete redirected.servername;
  return http.request(redirected, callback);
};
