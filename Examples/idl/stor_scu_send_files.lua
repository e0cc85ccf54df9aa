-- A port of IDL's stor_scu_send_files.pro (IDLffDicomExStorScu::Send example): send files to the
-- storage SCP named my_stor_scp_aen (localhost:2510, the storage SCP service of this machine).
local files = {}
for i = 1, #arg do files[#files + 1] = arg[i] end
if #files == 0 then error('usage: dicomlua stor_scu_send_files.lua FILE...') end

local ocfg = cfg.new()
ocfg:SetApplicationEntity('my_stor_scp_aen', 'my_stor_scp', 'localhost', 2510,
  'Storage_SCP_Service_List', 'Storage_SCP')
ocfg:SetValue('StorScpServiceAE', 'my_stor_scp_aen')
ocfg:Commit()

local oss = storage_scu.new()
oss:SetProperty{STORAGE_SCP = 'my_stor_scp_aen'}
oss.callback_function = function(status, data, info) print(status[1]); return 1 end
local cnt = oss:Send(files)
print('Files sent: ', cnt)
