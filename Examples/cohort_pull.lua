-- cohort_pull.lua: a CSV of accession numbers (or study UIDs, patient IDs) -> verified studies in a folder,
-- and a report CSV (docs/lua-api.md "campaign — bulk retrieval that survives").
--
--   dicomlua Examples/cohort_pull.lua cohort.csv /data/cohort [QUERY_SCP] [STORAGE_SCP]
--
-- QUERY_SCP (default 'pacs') is the archive, STORAGE_SCP (default 'me') the C-MOVE destination this script
-- runs: AE names of your configuration (see the README, "Configuration"), or AET@HOST:PORT. The journal
-- (FOLDER/cohort.db) survives a crash: run the same command again and it resumes where it stopped.
-- The same job as one command:
--   dicomlua campaign run /data/cohort/cohort.db --from pacs --to me --csv cohort.csv --dir /data/cohort
local csv, folder = arg[1], arg[2]
if not csv or not folder then
  io.stderr:write('usage: dicomlua cohort_pull.lua CSV FOLDER [QUERY_SCP] [STORAGE_SCP]\n')
  os.exit(2)
end
os.execute('mkdir -p "' .. folder:gsub('"', '\\"') .. '"')

local c = campaign.open(folder .. '/cohort.db', {
  query_scp = arg[3] or 'pacs', storage_scp = arg[4] or 'me',
  directory = folder, parallel = 2,          -- at most two associations to the archive at once
  verify = true, retry = 3,                  -- the defaults, said aloud: inventory, then up to 3 retry rounds
})
local added, rows = c:add_csv(csv)
print(('%d new item(s) from %d row(s) of %s'):format(added, rows, csv))

c:on_item(function(item)
  if item.state == 'running' then return end
  local k = item.keys
  print(('%-9s %-12s %s  %d/%s instance(s)%s'):format(item.state, k.accession_number or '', k.study_instance_uid or '',
    item.arrived, tostring(item.expected_count or '?'), item.message and ('  ' .. item.message) or ''))
end)

local summary, message = c:run()
if not summary then
  io.stderr:write('cohort_pull: ' .. message .. '\n')
  os.exit(1)
end
c:report_csv(folder .. '/report.csv')
print(('%d item(s): %d complete, %d partial, %d failed, %d empty, %d not found; %d instance(s) in %.1f s'):format(
  summary.total, summary.complete, summary.partial, summary.failed, summary.empty, summary.not_found,
  summary.instances, summary.elapsed))
for item in c:items{state = 'partial'} do
  print('still missing in ' .. item.keys.study_instance_uid .. ': ' .. #item.missing .. ' instance(s)')
end
if summary.message then print('stopped: ' .. summary.message) end
print('report: ' .. folder .. '/report.csv')
c:close()
os.exit((summary.complete + summary.empty == summary.total and not summary.message) and 0 or 1)
