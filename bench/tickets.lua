-- wrk script: POST a different ticket on every request.
--
--   wrk -s bench/tickets.lua URL -- TOKEN TAG RUN CUSTOMERS_FILE
--
-- TOKEN          bearer token ("-" for none: the baselines ignore it)
-- TAG            unique per wrk run, so new customers' e-mail addresses are new indeed
-- RUN            one digit, unique per wrk run against one database: new phone numbers
-- CUSTOMERS_FILE existing customers, one "id<TAB>email<TAB>phone<TAB>serial" a line
--
-- Mix per 100 requests: 35 new customers by e-mail (half also give a phone),
-- 10 new customers by phone only, 25 existing by e-mail (half naming their unit's
-- serial), 20 existing by phone in assorted notations, 10 existing by customer_id.
-- Subjects and bodies are Hebrew or English. done() prints one BENCH_RESULT JSON line.

local threads = {}

function setup(thread)
   thread:set("tid", #threads)
   table.insert(threads, thread)
end

local subjects = {
   "המכונה לא מנקזת מים",
   "Machine does not drain",
   "רעש חזק בזמן סחיטה",
   "Loud noise during spin",
   "הדלת לא נפתחת אחרי הכביסה",
   "Door stays locked after the cycle",
   "קוד שגיאה E21 על הצג",
   "Error code E21 on the display",
   "בקשה להאריך אחריות",
   "Request to extend the warranty",
}

local bodies = {
   "שלום, המכונה עוצרת באמצע התוכנית ונשארים בה מים. אשמח לטכנאי השבוע.",
   "Hello, the machine stops mid-cycle with water inside. Could a technician come this week?",
   "קניתי את המכונה לפני שנה. מאתמול יש רעש חזק בסחיטה ו\"ריח שרוף\".",
   "Bought it a year ago; since yesterday there is a loud bang when it spins. Order #4471.",
}

local names = { "רונית לוי", "Avi Cohen", "שירה בן דוד", "Maya Goldberg", "עומר חדד", "Tom Weiss" }
local priorities = { "normal", "normal", "normal", "high", "low", "urgent" }
local channels = { "api", "api", "email", "voice", "web", "chat" }

local function json_string(s)
   s = s:gsub('[%c"\\]', function(c)
      if c == '"' then return '\\"' end
      if c == "\\" then return "\\\\" end
      return string.format("\\u%04x", c:byte())
   end)
   return '"' .. s .. '"'
end

local function pick(list)
   return list[math.random(#list)]
end

local function phone_notation(national)
   -- national: "05X-NNNNNNN"; callers and forms write it many ways
   local digits = national:gsub("-", "")
   local r = math.random(4)
   if r == 1 then return national end
   if r == 2 then return digits end
   if r == 3 then return "+972 " .. digits:sub(2, 3) .. " " .. digits:sub(4, 6) .. " " .. digits:sub(7) end
   return "00972-" .. digits:sub(2)
end

function init(args)
   token = args[1] or "-"
   tag = args[2] or "run"
   run = tonumber(args[3] or "0") % 10
   local file = args[4]
   customers = {}
   if file then
      for line in io.lines(file) do
         local id, email, phone, serial = line:match("^(%d+)\t([^\t]+)\t([^\t]+)\t([^\t]+)$")
         if id then
            table.insert(customers, { id = id, email = email, phone = phone, serial = serial })
         end
      end
   end
   if #customers == 0 then
      error("no existing customers read from " .. tostring(file))
   end
   math.randomseed(os.time() + 7919 * (tid + 1))
   counter = 0
   non2xx = 0
   first_error = ""
   wrk.method = "POST"
   wrk.headers["Content-Type"] = "application/json"
   if token ~= "-" then
      wrk.headers["Authorization"] = "Bearer " .. token
   end
end

function request()
   counter = counter + 1
   local fields = {
      '"subject":' .. json_string(pick(subjects)),
      '"body":' .. json_string(pick(bodies)),
      '"priority":"' .. pick(priorities) .. '"',
      '"channel":"' .. pick(channels) .. '"',
   }
   local r = math.random(100)
   local unique = string.format("%s-%d-%d", tag, tid, counter)
   if r <= 45 then
      -- a first contact: an address or number nobody used before
      local phone = string.format("052-%d%06d", tid % 10, counter % 1000000)
      table.insert(fields, '"customer_name":' .. json_string(pick(names)))
      if r <= 35 then
         table.insert(fields, '"customer_email":"new-' .. unique .. '@mail.example"')
         if r <= 17 then
            table.insert(fields, '"customer_phone":"' .. phone_notation(phone) .. '"')
         end
      else
         -- 054-<run><thread><counter>: unique within the database
         phone = string.format("054-%d%d%05d", run, tid % 10, counter % 100000)
         table.insert(fields, '"customer_phone":"' .. phone_notation(phone) .. '"')
      end
   else
      local c = customers[math.random(#customers)]
      if r <= 70 then
         table.insert(fields, '"customer_email":"' .. c.email .. '"')
         if r <= 57 then
            table.insert(fields, '"asset_serial":"' .. c.serial .. '"')
         end
      elseif r <= 90 then
         table.insert(fields, '"customer_phone":"' .. phone_notation(c.phone) .. '"')
      else
         table.insert(fields, '"customer_id":' .. c.id)
      end
   end
   return wrk.format(nil, nil, nil, "{" .. table.concat(fields, ",") .. "}")
end

function response(status, headers, body)
   if status < 200 or status > 299 then
      non2xx = non2xx + 1
      if first_error == "" then
         first_error = status .. " " .. (body or ""):sub(1, 400)
      end
   end
end

function done(summary, latency, requests)
   local bad = 0
   local example = ""
   for _, thread in ipairs(threads) do
      bad = bad + (thread:get("non2xx") or 0)
      local e = thread:get("first_error")
      if example == "" and e and e ~= "" then
         example = e
      end
   end
   local e = summary.errors
   io.write(string.format(
      'BENCH_RESULT {"requests":%d,"duration_us":%d,"bytes":%d,"non2xx":%d,'
         .. '"connect_errors":%d,"read_errors":%d,"write_errors":%d,"timeouts":%d,'
         .. '"status_errors":%d,"latency_us":{"mean":%.1f,"p50":%d,"p90":%d,"p99":%d,"max":%d},'
         .. '"first_error":%s}\n',
      summary.requests, summary.duration, summary.bytes, bad,
      e.connect, e.read, e.write, e.timeout, e.status,
      latency.mean, latency:percentile(50), latency:percentile(90), latency:percentile(99),
      latency.max, json_string(example)))
end
