-- Forwards every instance an in-process storage SCP receives to another node with storage_scu.
-- usage: dicomlua forward.lua [destination AE name] [port]
--   destination: an AE of the user configuration (default 'PACS'); the SCP listens on `port` (default 11112)
--   with the AE title of StorScpServiceAE and stores into StorScpDir. Ctrl-C stops it and prints a summary.
local destination = arg[1] or 'PACS'
local port = tonumber(arg[2] or '11112')

local scp = storage_scp.new{port = port}
local sender = storage_scu.new()
sender.storage_scp = destination

local forwarded, failed = 0, 0
-- Once an association has ended, send its files on in one association to the destination. The hook runs on the
-- script's thread while serve() waits; sending blocks only this thread, not the SCP. Hooks of other associations
-- may run during that send (any blocking call runs the hooks posted meanwhile), so each line reports its own
-- association.
scp:on_association_end(function(a)
  if #a.files == 0 then return end
  local paths = {}
  for i, f in ipairs(a.files) do paths[i] = f.path end
  local sent, message = sender:send(paths)
  forwarded, failed = forwarded + sent, failed + (#paths - sent)
  print(string.format('%s sent %d file(s); forwarded %d to %s', a.calling_aet, #paths, sent, destination))
  if sent < #paths then
    io.stderr:write(string.format('could not forward %d file(s) from %s: %s\n', #paths - sent, a.calling_aet,
      tostring(message or 'refused by the destination')))
  end
  io.stdout:flush()
end)

scp:start()   -- now scp.port is the bound port (also with port 0)
print(string.format('storage SCP %s on port %d forwarding to %s', scp.aet, scp.port, destination))
io.stdout:flush()
local ok, err = pcall(scp.serve, scp)   -- Ctrl-C raises 'interrupted!' here
scp:stop()
print(string.format('stopped: forwarded %d file(s), %d failed', forwarded, failed))
if not ok and not tostring(err):find('interrupted!', 1, true) then error(err, 0) end
