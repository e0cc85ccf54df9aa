-- Site hooks for the storage SCP service (the `HooksFile` key of the system configuration).
-- Called on the service's Lua thread; a hook that raises is logged and the file stays stored.

-- Accept or refuse an association: return false to refuse it (the association is aborted, A-ABORT).
function on_association(a)
  return a.calling_aet ~= 'BLOCKED_AE'
end

-- Called once per stored file, after it is complete and renamed into StorScpDir.
function on_stored(f)
  io.stderr:write(string.format('stored %s (%s, patient %s, %d bytes from %s)\n',
    f.path, f.sop_class_uid, f.patient_id or '?', f.bytes, f.calling_aet))
end

-- Called when the association ends, with every file it stored.
function on_association_end(a)
  io.stderr:write(string.format('%s sent %d file(s)\n', a.calling_aet, #a.files))
end
