import DICOMCore

/// What a script's data set object holds: a whole data set (from `dicom.read` or `dicom.new`), or a live
/// view of one item of a sequence of another node.
///
/// An item view reads the item from its parent each time and writes changes back into the parent, so
/// `ds.ReferencedSeriesSequence[1].SeriesInstanceUID = uid` changes `ds`. When the item no longer exists
/// (the parent's sequence was replaced or shortened) the view keeps working on its last known copy,
/// detached from the parent.
final class DataSetNode {
    /// Where an item view sits: its parent, the sequence's tag and the item's 0-based index.
    struct Link {
        let parent: DataSetNode
        let tag: Tag
        let index: Int
    }

    private var detached: DataSet
    private let link: Link?
    /// The transfer syntax of the file it was read from (root nodes read by `dicom.read`).
    let sourceTransferSyntax: TransferSyntax?
    /// The Source Application Entity Title (0002,0016) of the file it was read from, kept when writing.
    let sourceApplicationEntityTitle: String?

    /// A root node holding `dataSet`.
    init(
        root dataSet: DataSet, sourceTransferSyntax: TransferSyntax? = nil, sourceApplicationEntityTitle: String? = nil
    ) {
        detached = dataSet
        link = nil
        self.sourceTransferSyntax = sourceTransferSyntax
        self.sourceApplicationEntityTitle = sourceApplicationEntityTitle
    }

    /// A view of item `index` of the sequence `tag` of `parent`.
    init(item index: Int, of tag: Tag, in parent: DataSetNode) {
        link = Link(parent: parent, tag: tag, index: index)
        detached = parent.dataSet[tag]?.items?[safe: index] ?? DataSet()
        sourceTransferSyntax = nil
        sourceApplicationEntityTitle = nil
    }

    /// True for a view of a sequence item.
    var isItem: Bool { link != nil }

    /// The data set now: the parent's item while it exists, else the last known copy.
    var dataSet: DataSet {
        guard let link, let item = link.parent.dataSet[link.tag]?.items?[safe: link.index] else { return detached }
        return item
    }

    /// Changes the data set; an item view writes the result into its parent (and so on up to the root).
    func mutate(_ change: (inout DataSet) throws -> Void) throws {
        var current = dataSet
        try change(&current)
        detached = current
        guard let link else { return }
        try link.parent.mutate { parent in
            guard var element = parent[link.tag], var items = element.items, link.index < items.count else { return }
            items[link.index] = current
            element.value = .sequence(items)
            parent.insert(element)
        }
    }
}

extension Array {
    subscript(safe index: Int) -> Element? { indices.contains(index) ? self[index] : nil }
}
