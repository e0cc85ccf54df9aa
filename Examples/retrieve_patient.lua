-- retrieve_patient.lua: query a Query/Retrieve SCP for its patients and retrieve one of them, by C-MOVE, into
-- a storage SCP that runs inside this script (default) or into the storage SCP service, printing progress from
-- the retrieve callback.
--
--   dicomlua retrieve_patient.lua [QR_AET QR_HOST QR_PORT [PATIENT_ID [DEST_DIR [DEST_AET DEST_PORT [DEST]]]]]
--
-- Defaults match `dicomlua qrscp` started by scripts/demo: QRSCP on 127.0.0.1:11112, destination
-- DICOMLUA_DEMO on port 11113. The patient retrieved is PATIENT_ID, else the first one the query returns.
-- DEST (the 8th argument, else the environment variable DEST) chooses the destination:
--   script   (default) a storage SCP inside this script; its on_stored hook counts the files;
--   service  the storage SCP service: the system configuration's storage SCP AE and StorScpDir are set to
--            DEST_AET/DEST_PORT/DEST_DIR, the service is started, the files that arrived in DEST_DIR are
--            counted, then the service is stopped and the two settings are restored. Needs write access to
--            the system configuration (DICOMLUA_SYSTEM_CONFIG, else /etc/dicomlua/config.json) and its LogDir.

local qr_aet    = arg[1] or 'QRSCP'
local qr_host   = arg[2] or '127.0.0.1'
local qr_port   = tonumber(arg[3] or '11112')
local wanted    = (arg[4] ~= nil and arg[4] ~= '') and arg[4] or nil
local dest_dir  = (arg[5] ~= nil and arg[5] ~= '') and arg[5] or os.getenv('TMPDIR') or '/tmp'
local dest_aet  = (arg[6] ~= nil and arg[6] ~= '') and arg[6] or 'DICOMLUA_DEMO'
local dest_port = tonumber((arg[7] ~= nil and arg[7] ~= '') and arg[7] or '11113')
local dest_mode = (arg[8] ~= nil and arg[8] ~= '') and arg[8] or os.getenv('DEST') or 'script'
if dest_mode ~= 'script' and dest_mode ~= 'service' then
  error("DEST must be 'script' or 'service', got '" .. dest_mode .. "'")
end

-- Files named *.<ext> directly in `folder` (the storage SCP's naming; its depot/ subfolder is not counted).
local function count_files(folder, ext)
  local quoted = "'" .. folder:gsub("'", "'\\''") .. "'"
  local pipe = assert(io.popen('find ' .. quoted .. " -maxdepth 1 -type f -name '*." .. ext .. "' 2>/dev/null"))
  local n = 0
  for _ in pipe:lines() do n = n + 1 end
  pipe:close()
  return n
end

-- 1. Configure the remote PACS and the destination as application entities (IDLffDicomExCfg).
local c = cfg.new()
c:set_application_entity('demo_qr_scp', qr_aet, qr_host, qr_port, 'Query_SCP_Service_List', 'Query_SCP')
c:set_application_entity('demo_stor_scp', dest_aet, '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
c:set_value('StorScpDir', dest_dir)
c:commit()

local echo = c:echo('demo_qr_scp')
if not echo[1]:find('Succeeded') then
  io.stderr:write(table.concat(echo, '\n'), '\n')
  os.exit(1)
end
print(echo[1] .. ' ' .. echo[3] .. ' ' .. (echo[7] or ''))

-- 2. Start the destination. In-process: its hook runs on this thread while retrieve() waits.
local scp, service, arrived = nil, nil, {}
local restore = {}
if dest_mode == 'script' then
  scp = storage_scp.new{ae = 'demo_stor_scp', dir = dest_dir}
  scp:on_stored(function(f)
    arrived[#arrived + 1] = f.path
  end)
  scp:start()
else
  service = cfg.new{system = true}
  restore.ae, restore.dir = service:get_value('StorScpServiceAE'), service:get_value('StorScpDir')
  service:set_application_entity('demo_stor_scp', dest_aet, '127.0.0.1', dest_port, 'Storage_SCP_Service_List', 'Storage_SCP')
  service:set_value('StorScpServiceAE', 'demo_stor_scp')
  service:set_value('StorScpDir', dest_dir)
  service:commit()
  restore.before = count_files(dest_dir, service:get_value('FileExtension'))
  local answer = service:storage_scp_service('start')
  print('storage SCP service: ' .. answer)
  if answer ~= 'start request issued' then
    io.stderr:write('the storage SCP service did not start (' .. answer .. '); see its log in '
      .. service:get_value('LogDir') .. '\n')
    os.exit(1)
  end
end

local function stop_destination()
  if scp then scp:stop(); return end
  print('storage SCP service: ' .. service:storage_scp_service('stop'))
  service:set_value('StorScpServiceAE', restore.ae)
  service:set_value('StorScpDir', restore.dir)
  service:commit()
end

-- 3. Query the patients (Patient Root / Patient level: the default).
local q = query.new()
q:set_property{query_scp = 'demo_qr_scp', storage_scp = 'demo_stor_scp'}
local patients, count = q:query()
if not patients then
  io.stderr:write('query failed: ' .. tostring(count) .. '\n')
  stop_destination()
  os.exit(1)
end
print(string.format('found %d patient(s)', count))
for i, p in ipairs(patients) do
  print(string.format('  %-12s %s', p.patient_id, p.patient_name))
end
if count == 0 then print('nothing to retrieve'); stop_destination(); os.exit(1) end
local patient_id = wanted or patients[1].patient_id

-- 4. Retrieve the patient by C-MOVE; the callback prints each pending response.
q.callback_function = function(status, data, info)
  print(string.format('  %-9s %s  completed=%s remaining=%s failed=%s files_now=%d',
    info.category, status[1], tostring(info.completed), tostring(info.remaining),
    tostring(info.failed), #(info.files or {})))
  return 1   -- anything but 0/false continues
end
local ok, retrieved, message = q:retrieve{patient_id = patient_id}

-- 5. Stop the destination, then count what arrived: stopping runs the on_stored hooks still queued (the last
--    files may arrive just before the final response, while their hooks wait for the script).
stop_destination()
local files
if scp then
  files = #arrived
else
  files = count_files(dest_dir, service:get_value('FileExtension')) - restore.before
end

print(string.format('retrieve of patient %s: %s, %d instance(s) reported by the PACS, %d file(s) arrived in %s',
  patient_id, ok and 'succeeded' or ('failed: ' .. tostring(message)), retrieved, files, dest_dir))
os.exit(ok and files == retrieved and 0 or 1)
