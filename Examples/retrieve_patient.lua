-- retrieve_patient.lua: query a Query/Retrieve SCP for its patients and retrieve one of them into a
-- storage SCP that runs inside this script, printing progress from the retrieve callback.
--
--   dicomlua retrieve_patient.lua [QR_AET QR_HOST QR_PORT [PATIENT_ID [DEST_DIR [DEST_AET DEST_PORT]]]]
--
-- Defaults match `dicomlua qrscp` started by scripts/demo: QRSCP on 127.0.0.1:11112, destination
-- DICOMLUA_DEMO on port 11113. The patient retrieved is PATIENT_ID, else the first one the query returns.

local qr_aet   = arg[1] or 'QRSCP'
local qr_host  = arg[2] or '127.0.0.1'
local qr_port  = tonumber(arg[3] or '11112')
local wanted   = (arg[4] ~= nil and arg[4] ~= '') and arg[4] or nil
local dest_dir = arg[5] or os.getenv('TMPDIR') or '/tmp'
local dest_aet = arg[6] or 'DICOMLUA_DEMO'
local dest_port = tonumber(arg[7] or '11113')

-- 1. Configure the remote PACS and our own storage SCP as application entities (IDLffDicomExCfg).
local c = cfg.new()
c:set_application_entity('demo_qr_scp', qr_aet, qr_host, qr_port, 'Query_SCP_Service_List', 'Query_SCP')
c:set_application_entity('demo_stor_scp', dest_aet, '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
c:set_value('StorScpDir', dest_dir)
c:commit()

local echo, n = c:echo('demo_qr_scp')
print(echo[1] .. ' ' .. echo[3] .. ' ' .. (echo[7] or ''))
if not echo[1]:find('Succeeded') then os.exit(1) end

-- 2. Start a storage SCP inside this script; its hook runs on this thread while retrieve() waits.
local scp = storage_scp.new{ae = 'demo_stor_scp', dir = dest_dir}
local arrived = {}
scp:on_stored(function(f)
  arrived[#arrived + 1] = f.path
end)
scp:start()

-- 3. Query the patients (Patient Root / Patient level: the default).
local q = query.new()
q:set_property{query_scp = 'demo_qr_scp', storage_scp = 'demo_stor_scp'}
local patients, count = q:query()
print(string.format('found %d patient(s)', count))
for i, p in ipairs(patients) do
  print(string.format('  %-12s %s', p.patient_id, p.patient_name))
end
if count == 0 then print('nothing to retrieve'); scp:stop(); os.exit(1) end
local patient_id = wanted or patients[1].patient_id

-- 4. Retrieve the patient by C-MOVE; the callback prints each pending response.
q.callback_function = function(status, data, info)
  print(string.format('  %-9s %s  completed=%s remaining=%s failed=%s files_now=%d',
    info.category, status[1], tostring(info.completed), tostring(info.remaining),
    tostring(info.failed), #(info.files or {})))
  return 1   -- anything but 0/false continues
end
local ok, retrieved, message = q:retrieve{patient_id = patient_id}
scp:stop()

print(string.format('retrieve of patient %s: %s, %d instance(s) reported by the PACS, %d file(s) arrived in %s',
  patient_id, ok and 'succeeded' or ('failed: ' .. tostring(message)), retrieved, #arrived, dest_dir))
os.exit(ok and #arrived == retrieved and 0 or 1)
