-- Forwards every instance an in-process storage SCP receives to another node with storage_scu.
-- usage: dicomlua forward.lua [destination AE name] [port]
--   destination: an AE of the user configuration (default 'PACS'); the SCP listens on `port` (default 11112)
--   with the AE title of StorScpServiceAE. Ctrl-C stops it.
local destination = arg[1] or 'PACS'
local port = tonumber(arg[2] or '11112')

local scp = storage_scp.new{port = port}
local sender = storage_scu.new()
sender.storage_scp = destination

local forwarded, failed = 0, 0
scp:on_stored(function(f)
  -- Runs on the script's thread while serve() waits; sending blocks only this thread, not the SCP.
  local sent, message = sender:send(f.path)
  if sent == 1 then
    forwarded = forwarded + 1
  else
    failed = failed + 1
    io.stderr:write(string.format('could not forward %s: %s\n', f.path, tostring(message)))
  end
end)
scp:on_association_end(function(a)
  print(string.format('%s sent %d file(s); forwarded %d so far, %d failed', a.calling_aet, #a.files, forwarded, failed))
end)

print(string.format('storage SCP %s on port %d forwarding to %s', scp.aet, scp.port, destination))
scp:serve()
