-- A line-by-line port of IDL's retrieve_dicom_patient_files.pro (IDLffDicomExQuery::Retrieve example).
-- Supply REMOTE_AET, REMOTE_HOST, REMOTE_PORT and PATIENT_ID (here: from the command line); the remote
-- must know the move destination my_stor_scp (this machine, STOR_SCP_PORT).
--   dicomlua retrieve_dicom_patient_files.lua REMOTE_AET REMOTE_HOST REMOTE_PORT PATIENT_ID [STOR_SCP_PORT [WAIT_SECONDS]]
-- STOR_SCP_PORT is IDL's 2510 unless given; WAIT_SECONDS (IDL's WAIT, 5 s) may be 0: storage_scp_service
-- answers once the service listens (start) or has exited (stop).
-- Like the original, it changes the system configuration of the storage SCP service (which needs write access
-- to it) and restores it; received files go to TMPDIR (else /tmp), IDL's FILEPATH('', /TMP).

local REMOTE_AET  = arg[1] or 'remote_aet'
local REMOTE_HOST = arg[2] or 'remote_host_name'
local REMOTE_PORT = arg[3] or 'remote_port_number'
local PATIENT_ID  = arg[4] or '000001'
local STOR_SCP_PORT = tonumber(arg[5] or '2510')
local WAIT_SECONDS  = tonumber(arg[6])
local function WAIT(s) dicom.sleep(WAIT_SECONDS or s) end

local ocfg = cfg.new()
ocfg:SetApplicationEntity('remote_qr_scp_aen', REMOTE_AET, REMOTE_HOST, REMOTE_PORT,
  'Query_SCP_Service_List', 'Query_SCP')
local origStorScpAEname = ocfg:GetValue('StorScpServiceAE')
local origStorScpAE = ocfg:GetApplicationEntity(origStorScpAEname)
ocfg:SetApplicationEntity('my_stor_scp_aen', 'my_stor_scp', 'localhost', STOR_SCP_PORT,
  'Storage_SCP_Service_List', 'Storage_SCP')
ocfg:SetValue('StorScpServiceAE', 'my_stor_scp_aen')
ocfg:Commit()
ocfg = nil

ocfg = cfg.new{system = true}
local status = ocfg:StorageScpService('stop')
print('Stopping Storage SCP. Status: ', status)
WAIT(5)
ocfg:SetApplicationEntity('my_stor_scp_aen', 'my_stor_scp', 'localhost', STOR_SCP_PORT,
  'Storage_SCP_Service_List', 'Storage_SCP')
ocfg:SetValue('StorScpServiceAE', 'my_stor_scp_aen')
local origStorScpDir = ocfg:GetValue('StorScpDir')
local tmpDir = os.getenv('TMPDIR') or '/tmp'
ocfg:SetValue('StorScpDir', tmpDir)
local storScpDir = ocfg:GetValue('StorScpDir')
print('Setting Storage SCP Directory to: ', storScpDir)
ocfg:Commit()
status = ocfg:StorageScpService('start')
print('Starting Storage SCP. Status: ', status)
WAIT(5)
status = ocfg:StorageScpService('status')
print('Storage SCP Status: ', status)
ocfg = nil

local oqr = query.new()
oqr:SetProperty{QUERY_SCP = 'remote_qr_scp_aen'}
oqr:SetProperty{STORAGE_SCP = 'my_stor_scp_aen'}
local res, cnt, why = oqr:Retrieve{PATIENT_ID = PATIENT_ID}
if not res then print('Retrieve failed: ', why) end
print('Retrieve Status: ', cnt, ' files retrieved into ', storScpDir)
oqr = nil

print('')
print('Restoring original Storage SCP configuration.')
ocfg = cfg.new()
ocfg:SetApplicationEntity(origStorScpAE.APPLENTITYNAME, origStorScpAE.AET, origStorScpAE.HOSTNAME,
  origStorScpAE.PORT, origStorScpAE.SERVICELISTNAME, origStorScpAE.SERVICETYPE)
ocfg:SetValue('StorScpServiceAE', origStorScpAE.APPLENTITYNAME)
ocfg:Commit()

ocfg = cfg.new{system = true}
status = ocfg:StorageScpService('stop')
print('Stopping Storage SCP. Status: ', status)
WAIT(5)
ocfg:SetApplicationEntity(origStorScpAE.APPLENTITYNAME, origStorScpAE.AET, origStorScpAE.HOSTNAME,
  origStorScpAE.PORT, origStorScpAE.SERVICELISTNAME, origStorScpAE.SERVICETYPE)
ocfg:SetValue('StorScpServiceAE', origStorScpAE.APPLENTITYNAME)
ocfg:SetValue('StorScpDir', origStorScpDir)
print('Storage SCP Directory is now ', ocfg:GetValue('StorScpDir'))
-- As in the original, the service restarts before this Commit: it runs with the settings on file until the
-- next restart.
status = ocfg:StorageScpService('start')
print('Starting Storage SCP. Status: ', status)
WAIT(5)
status = ocfg:StorageScpService('status')
print('Storage SCP Status: ', status)
WAIT(5)
ocfg:Commit()
