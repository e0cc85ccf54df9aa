/// The version of dicomlua: the one place it is written (`dicomlua --version`, `dicom.version`).
public enum DICOMLuaVersion {
    public static let string = "0.1.0"
}
