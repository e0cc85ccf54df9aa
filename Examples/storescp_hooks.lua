-- Hooks file for the storage SCP (the `HooksFile` key of the system configuration, or
-- `dicomlua storescp --hooks storescp_hooks.lua`): sorts each arriving file into
-- <StorScpDir>/sorted/<patient>/<study>/<series>/ and appends one CSV line per file to
-- <StorScpDir>/sorted/received.csv. Hooks run on the service's Lua thread; the network never waits
-- for them. A hook that raises is logged (storscp1.log/storscp2.log) and the file stays where it is.

-- Only characters that are safe in a folder name; nothing that could climb out of the tree.
local function safe(name)
  name = tostring(name or 'unknown'):gsub('[^%w%.%-_]', '_')
  if name == '' or name == '.' or name == '..' then return 'unknown' end
  return name
end

local function mkdir_p(path)
  -- os.execute with a quoted path: the components were made safe above.
  assert(os.execute(string.format("mkdir -p '%s'", path)), 'cannot create ' .. path)
end

local function csv(value)
  value = tostring(value or '')
  if value:find('[,"\n]') then value = '"' .. value:gsub('"', '""') .. '"' end
  return value
end

function on_association(a)
  return true   -- return false to refuse (the association is aborted)
end

function on_stored(f)
  local root = f.path:match('^(.*)/[^/]+$') .. '/sorted'
  local folder = table.concat({root, safe(f.patient_id), safe(f.study_instance_uid), safe(f.series_instance_uid)}, '/')
  mkdir_p(folder)
  local target = folder .. '/' .. f.path:match('[^/]+$')
  assert(os.rename(f.path, target))
  local log = assert(io.open(root .. '/received.csv', 'a'))
  log:write(table.concat({csv(os.date('!%Y-%m-%dT%H:%M:%SZ')), csv(f.calling_aet), csv(f.patient_id),
    csv(f.study_instance_uid), csv(f.series_instance_uid), csv(f.sop_instance_uid), csv(f.bytes), csv(target)}, ','), '\n')
  log:close()
end

function on_association_end(a)
  io.stderr:write(string.format('%s (%s) sent %d file(s)\n', a.calling_aet, a.peer, #a.files))
end
