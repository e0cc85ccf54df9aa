-- A line-by-line port of IDL's retrieve_dicom_patient_files.pro (IDLffDicomExQuery::Retrieve example).
-- Supply REMOTE_AET, REMOTE_HOST, REMOTE_PORT and PATIENT_ID (here: from the command line).
-- Like the original, it changes the system configuration of the storage SCP service and restores it.

local REMOTE_AET  = arg[1] or 'remote_aet'
local REMOTE_HOST = arg[2] or 'remote_host_name'
local REMOTE_PORT = arg[3] or 'remote_port_number'
local PATIENT_ID  = arg[4] or '000001'
local function WAIT(s) dicom.sleep(s) end

local ocfg = cfg.new()
ocfg:SetApplicationEntity('remote_qr_scp_aen', REMOTE_AET, REMOTE_HOST, REMOTE_PORT,
  'Query_SCP_Service_List', 'Query_SCP')
local origStorScpAEname = ocfg:GetValue('StorScpServiceAE')
local origStorScpAE = ocfg:GetApplicationEntity(origStorScpAEname)
ocfg:SetApplicationEntity('my_stor_scp_aen', 'my_stor_scp', 'localhost', 2510,
  'Storage_SCP_Service_List', 'Storage_SCP')
ocfg:SetValue('StorScpServiceAE', 'my_stor_scp_aen')
ocfg:Commit()
ocfg = nil

ocfg = cfg.new{system = true}
local status = ocfg:StorageScpService('stop')
print('Stopping Storage SCP. Status: ', status)
WAIT(5)
ocfg:SetApplicationEntity('my_stor_scp_aen', 'my_stor_scp', 'localhost', 2510,
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
local res, cnt = oqr:Retrieve{PATIENT_ID = PATIENT_ID}
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
status = ocfg:StorageScpService('start')
print('Starting Storage SCP. Status: ', status)
WAIT(5)
status = ocfg:StorageScpService('status')
print('Storage SCP Status: ', status)
WAIT(5)
ocfg:Commit()
