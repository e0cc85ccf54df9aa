import DICOMCore

/// One indexed instance of the test Q/R SCP: where its data set lies in its Part 10 file (so it can be
/// sent streamed) and the text of the attributes in `QueryKeys.indexed` (multi-values joined by `\`).
public struct InstanceRecord: Sendable, Equatable {
    public var path: String
    /// Offset and length of the data set after the File Meta Information (PS3.10 §7.1).
    public var dataSetOffset: Int
    public var dataSetLength: Int
    /// Transfer syntax of the stored data set (0002,0010).
    public var transferSyntaxUID: String
    /// Decoded text of the indexed attributes, by tag (absent attributes are missing).
    public var values: [Tag: String]

    public init(path: String, dataSetOffset: Int, dataSetLength: Int, transferSyntaxUID: String, values: [Tag: String])
    {
        self.path = path
        self.dataSetOffset = dataSetOffset
        self.dataSetLength = dataSetLength
        self.transferSyntaxUID = transferSyntaxUID
        self.values = values
    }

    public var sopInstanceUID: String { values[QueryKeys.sopInstanceUID.tag] ?? "" }
    public var sopClassUID: String { values[QueryKeys.sopClassUID.tag] ?? "" }

    /// The stored text of `key`.
    public func value(_ key: QueryKey) -> String? { values[key.tag] }

    /// The indexed attributes of `dataSet`.
    public static func indexedValues(of dataSet: DataSet) -> [Tag: String] {
        var values: [Tag: String] = [:]
        for key in QueryKeys.indexed {
            switch key.vr {
            case .US, .UL, .SS, .SL:
                if let ints = dataSet.ints(key.tag) { values[key.tag] = ints.map(String.init).joined(separator: "\\") }
            default:
                if let text = dataSet.string(key.tag) { values[key.tag] = text }
            }
        }
        return values
    }
}
