// DICOMNetwork: placeholder, filled in by its issue.
