-- verified_retrieve.lua: retrieve a study by C-MOVE into a storage SCP inside this script, verified against an
-- inventory of the archive (verify = true) and retried twice for whatever is missing (retry = 2); prints the
-- verdict and what is still missing (docs/lua-api.md "Retrieve reports, verification and retry").
--
--   dicomlua verified_retrieve.lua [QR_AET QR_HOST QR_PORT [STUDY_UID [DEST_DIR [DEST_AET DEST_PORT]]]]
--
-- Defaults match `dicomlua qrscp` started by scripts/demo: QRSCP on 127.0.0.1:11112, destination
-- DICOMLUA_DEMO on port 11113. The study is STUDY_UID, else the first one a Study Root query returns.
-- Exit status 0 when the verdict is 'complete', 1 otherwise.

local qr_aet    = arg[1] or 'QRSCP'
local qr_host   = arg[2] or '127.0.0.1'
local qr_port   = tonumber(arg[3] or '11112')
local study     = (arg[4] ~= nil and arg[4] ~= '') and arg[4] or nil
local dest_dir  = (arg[5] ~= nil and arg[5] ~= '') and arg[5] or os.getenv('TMPDIR') or '/tmp'
local dest_aet  = (arg[6] ~= nil and arg[6] ~= '') and arg[6] or 'DICOMLUA_DEMO'
local dest_port = tonumber((arg[7] ~= nil and arg[7] ~= '') and arg[7] or '11113')

local c = cfg.new()
c:set_application_entity('verified_qr_scp', qr_aet, qr_host, qr_port, 'Query_SCP_Service_List', 'Query_SCP')
c:set_application_entity('verified_stor_scp', dest_aet, '127.0.0.1', dest_port, 'Storage_SCP_Service_List',
  'Storage_SCP')
c:commit()

local q = query.new()
q:set_property{query_scp = 'verified_qr_scp', storage_scp = 'verified_stor_scp', query_model = 1, query_level = 1}
if not study then
  local studies, n = q:query()
  if not studies then io.stderr:write('query failed: ', tostring(n), '\n'); os.exit(1) end
  if n == 0 then print('the archive has no study'); os.exit(1) end
  study = studies[1].study_instance_uid
end

local scp = storage_scp.new{ae = 'verified_stor_scp', dir = dest_dir}
scp:start()
q.callback_function = function(status, data, info)
  if info.attempt and info.attempt > 1 and info.category == 'pending' then
    print(string.format('  retry round %d: %s', info.attempt - 1, status[1]))
  end
  return 1
end
local ok, count, message, report = q:retrieve{study_instance_uid = study, verify = true, retry = 2}
scp:stop()

print(string.format('study %s: %s', study, report.verdict))
print(string.format('  expected %s, arrived %d, archive reported %s completed, attempts %d',
  tostring(report.expected_count), #(report.arrived or {}), tostring(report.completed), report.attempts))
if report.message then print('  ' .. report.message) end
for _, uid in ipairs(report.missing) do print('  missing ' .. uid) end
for _, uid in ipairs(report.failed_uids) do print('  failed  ' .. uid) end
os.exit(report.verdict == 'complete' and 0 or 1)
