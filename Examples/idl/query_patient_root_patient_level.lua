-- A port of IDL's query_patient_root_patient_level.pro (IDLffDicomExQuery::Query example):
-- a default Patient Root / Patient level query listing every patient of the remote node.
--   dicomlua query_patient_root_patient_level.lua REMOTE_AET REMOTE_HOST REMOTE_PORT
local REMOTE_AET  = arg[1] or 'remote_aet'
local REMOTE_HOST = arg[2] or 'remote_host_name'
local REMOTE_PORT = arg[3] or 'remote_port_number'

local ocfg = cfg.new()
ocfg:SetApplicationEntity('remote_qr_scp_aen', REMOTE_AET, REMOTE_HOST, REMOTE_PORT,
  'Query_SCP_Service_List', 'Query_SCP')
ocfg:Commit()
ocfg = nil

local oqr = query.new()
oqr:SetProperty{QUERY_SCP = 'remote_qr_scp_aen'}
local xResults, cnt = oqr:Query()
-- IDL returns an empty result on a network failure; here Query returns nil and the reason.
if not xResults then error('Query failed: ' .. tostring(cnt), 0) end
for i = 1, cnt do
  print(xResults[i].PATIENT_ID, xResults[i].PATIENT_NAME)
end
