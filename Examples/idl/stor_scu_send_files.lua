-- A port of IDL's stor_scu_send_files.pro (IDLffDicomExStorScu::Send example): a loop-back send to the
-- storage SCP service of this machine (my_stor_scp_aen, localhost:2510), which stores into TMPDIR (else /tmp).
--   dicomlua stor_scu_send_files.lua [--port N] [--wait SECONDS] FILE...
-- --port replaces IDL's 2510; --wait replaces IDL's WAIT(5) (0 is fine: storage_scp_service answers once the
-- service listens or has exited). Like the original, it changes the system configuration of the storage SCP
-- service (which needs write access to it) and leaves the service running.
local PORT, WAIT_SECONDS, files = 2510, nil, {}
local i = 1
while i <= #arg do
  if arg[i] == '--port' then PORT = tonumber(arg[i + 1]); i = i + 2
  elseif arg[i] == '--wait' then WAIT_SECONDS = tonumber(arg[i + 1]); i = i + 2
  else files[#files + 1] = arg[i]; i = i + 1 end
end
if #files == 0 or not PORT then error('usage: dicomlua stor_scu_send_files.lua [--port N] [--wait SECONDS] FILE...', 0) end
local function WAIT(s) dicom.sleep(WAIT_SECONDS or s) end

-- 1. The local configuration: the storage SCP AE, also as StorScpServiceAE.
local ocfg = cfg.new()
ocfg:SetApplicationEntity('my_stor_scp_aen', 'my_stor_scp', 'localhost', PORT,
  'Storage_SCP_Service_List', 'Storage_SCP')
ocfg:SetValue('StorScpServiceAE', 'my_stor_scp_aen')
ocfg:Commit()
ocfg = nil

-- 2. The system configuration: the same AE for the service, received files into the temporary folder;
--    then restart the service.
ocfg = cfg.new{system = true}
ocfg:SetApplicationEntity('my_stor_scp_aen', 'my_stor_scp', 'localhost', PORT,
  'Storage_SCP_Service_List', 'Storage_SCP')
ocfg:SetValue('StorScpServiceAE', 'my_stor_scp_aen')
ocfg:SetValue('StorScpDir', os.getenv('TMPDIR') or '/tmp')
ocfg:Commit()
local status = ocfg:StorageScpService('stop')
print('Stopping Storage SCP. Status: ', status)
WAIT(5)
status = ocfg:StorageScpService('start')
print('Starting Storage SCP. Status: ', status)
WAIT(5)
ocfg = nil

-- 3. Send the files.
local oss = storage_scu.new()
oss:SetProperty{STORAGE_SCP = 'my_stor_scp_aen'}
oss.callback_function = function(status, data, info) print(status[1]); return 1 end
local cnt, why = oss:Send(files)
print('Files sent: ', cnt)
if why then print('Send stopped: ', why) end
