// DICOMCore: placeholder, filled in by its issue.
