-- wrk script: replay pre-signed Twilio webhooks, one stream of them per thread.
--
--   wrk -t N -c N -s bench/sms_replay.lua http://HOST:PORT/twilio/sms -- STREAM_DIR
--
-- STREAM_DIR holds stream-000.tsv, stream-001.tsv, …: "signature<TAB>urlencoded body"
-- a line (bench/sms_corpus.py writes them). Run with as many threads as connections:
-- each thread then has one connection and sends its stream in order, one webhook at a
-- time, so response k answers webhook k, and a number's next text is only sent once
-- its previous one was answered. The Lua has no crypto: the signature covers the body,
-- so every body is signed beforehand.
--
-- A thread that reaches the end of its stream sends GET /healthz from then on and
-- counts those as "exhausted": the corpus was too small, and the run does not count.
-- done() prints one BENCH_RESULT JSON line with, per stream, how many webhooks were
-- sent and answered, so the benchmark knows exactly which ones to find in the database.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

local function json_string(s)
   s = s:gsub('[%c"\\]', function(c)
      if c == '"' then return '\\"' end
      if c == "\\" then return "\\\\" end
      return string.format("\\u%04x", c:byte())
   end)
   return '"' .. s .. '"'
end

function init(args)
   folder = args[1]
   items = nil
   sent = 0 -- webhooks handed to wrk
   answered = 0 -- responses to them
   ok = 0
   non2xx = 0
   exhausted = 0
   first_error = ""
   -- wrk asks thread 0 for one request before it starts, to check the script: that
   -- one is never sent, so it must not use up a webhook.
   checking = (tid == 0)
   headers = {
      ["Content-Type"] = "application/x-www-form-urlencoded",
      ["User-Agent"] = "TwilioProxy/1.1",
      ["X-Twilio-Signature"] = "",
   }
end

-- Read on the first request rather than in init(): wrk runs every thread's init()
-- before it starts its clock, while the first threads already send.
local function load()
   items = {}
   for line in io.lines(string.format("%s/stream-%03d.tsv", folder, tid)) do
      local signature, body = line:match("^([^\t]+)\t(.*)$")
      items[#items + 1] = { signature, body }
   end
end

local function webhook(item)
   headers["X-Twilio-Signature"] = item[1]
   return wrk.format("POST", wrk.path, headers, item[2])
end

function request()
   if items == nil then
      load()
   end
   if checking then
      checking = false
      return webhook(items[1])
   end
   if sent >= #items then
      exhausted = exhausted + 1
      return wrk.format("GET", "/healthz")
   end
   sent = sent + 1
   return webhook(items[sent])
end

function response(status, headers, body)
   if answered >= sent then
      return -- a /healthz after the stream ran out
   end
   answered = answered + 1
   if status >= 200 and status <= 299 then
      ok = ok + 1
   else
      non2xx = non2xx + 1
      if first_error == "" then
         first_error = string.format("stream %d webhook %d: %d %s", tid, answered, status,
            (body or ""):sub(1, 300))
      end
   end
end

function done(summary, latency, requests)
   local streams = {}
   local bad = 0
   local example = ""
   for _, thread in ipairs(threads) do
      streams[#streams + 1] = string.format("[%d,%d,%d,%d]", thread:get("sent") or 0,
         thread:get("answered") or 0, thread:get("ok") or 0, thread:get("exhausted") or 0)
      bad = bad + (thread:get("non2xx") or 0)
      local e = thread:get("first_error")
      if example == "" and e and e ~= "" then
         example = e
      end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"non2xx":%d,'
         .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,'
         .. '"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},'
         .. '"first_error":%s,"streams":[%s]}\n',
      summary.requests, summary.duration, bad,
      e.connect, e.read, e.write, e.timeout,
      latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, json_string(example), table.concat(streams, ",")))
end
