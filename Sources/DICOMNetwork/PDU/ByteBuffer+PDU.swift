import NIOCore

extension ByteBuffer {
    /// Writes `pdu` in its wire form (PS3.8 §9.3): big-endian headers, UIDs without padding, AE titles
    /// space-padded to 16 bytes. Returns the number of bytes written.
    @discardableResult
    public mutating func writePDU(_ pdu: PDU) -> Int {
        let start = self.writerIndex
        self.writeInteger(pdu.type.rawValue)
        self.writeInteger(UInt8(0))
        let lengthIndex = self.writerIndex
        self.writeInteger(UInt32(0))
        switch pdu {
        case .associateRQ(let rq):
            self.writeAssociateFixedPart(
                version: rq.protocolVersion, called: rq.calledAETitle, calling: rq.callingAETitle)
            self.writeItem(0x10) { $0.writeString(rq.applicationContextName) }
            for context in rq.presentationContexts {
                self.writeItem(0x20) { item in
                    item.writeBytes([context.id, 0, 0, 0])
                    item.writeItem(0x30) { $0.writeString(context.abstractSyntax) }
                    for ts in context.transferSyntaxes { item.writeItem(0x40) { $0.writeString(ts) } }
                }
            }
            self.writeUserInformation(rq.userInformation)
        case .associateAC(let ac):
            self.writeAssociateFixedPart(
                version: ac.protocolVersion, called: ac.calledAETitle, calling: ac.callingAETitle)
            self.writeItem(0x10) { $0.writeString(ac.applicationContextName) }
            for context in ac.presentationContexts {
                self.writeItem(0x21) { item in
                    item.writeBytes([context.id, 0, context.result, 0])
                    // PS3.8 §9.3.3.2: the sub-item is always sent; its value is not significant unless accepted.
                    item.writeItem(0x40) { $0.writeString(context.transferSyntax ?? "") }
                }
            }
            self.writeUserInformation(ac.userInformation)
        case .associateRJ(let rj):
            self.writeBytes([0, rj.result, rj.source, rj.reason])
        case .dataTF(let values):
            for value in values { self.writePresentationDataValue(value) }
        case .releaseRQ, .releaseRP:
            self.writeInteger(UInt32(0))
        case .abort(let abort):
            self.writeBytes([0, 0, abort.source, abort.reason])
        }
        self.setInteger(UInt32(self.writerIndex - lengthIndex - 4), at: lengthIndex)
        return self.writerIndex - start
    }

    /// Writes one PDV item (PS3.8 §9.3.5.1): item-length(4), context ID, message control header, data.
    public mutating func writePresentationDataValue(_ value: PresentationDataValue) {
        self.writeInteger(UInt32(value.data.readableBytes + 2))
        self.writeInteger(value.contextID)
        self.writeInteger(value.messageControlHeader)
        var data = value.data
        self.writeBuffer(&data)
    }

    private mutating func writeAssociateFixedPart(version: UInt16, called: String, calling: String) {
        self.writeInteger(version)
        self.writeInteger(UInt16(0))
        self.writeAETitle(called)
        self.writeAETitle(calling)
        self.writeRepeatingByte(0, count: 32)
    }

    /// 16 bytes, space-padded, truncated to 16 (PS3.8 §9.3.2).
    private mutating func writeAETitle(_ title: String) {
        let bytes = Array(title.utf8.prefix(16))
        self.writeBytes(bytes)
        self.writeRepeatingByte(0x20, count: 16 - bytes.count)
    }

    /// Item header type(1), reserved(1), length(2, BE), then the body written by `body`.
    private mutating func writeItem(_ type: UInt8, _ body: (inout ByteBuffer) -> Void) {
        self.writeInteger(type)
        self.writeInteger(UInt8(0))
        let lengthIndex = self.writerIndex
        self.writeInteger(UInt16(0))
        body(&self)
        let length = self.writerIndex - lengthIndex - 2
        precondition(length <= Int(UInt16.max), "item 0x\(String(type, radix: 16)) longer than 65535 bytes")
        self.setInteger(UInt16(length), at: lengthIndex)
    }

    private mutating func writeUserInformation(_ info: UserInformation) {
        self.writeItem(0x50) { item in
            if let maximumLength = info.maximumLength {
                item.writeItem(0x51) { $0.writeInteger(maximumLength) }
            }
            if let uid = info.implementationClassUID {
                item.writeItem(0x52) { $0.writeString(uid) }
            }
            if let window = info.asynchronousOperationsWindow {
                item.writeItem(0x53) {
                    $0.writeInteger(window.maximumOperationsInvoked)
                    $0.writeInteger(window.maximumOperationsPerformed)
                }
            }
            for role in info.roleSelections {
                item.writeItem(0x54) {
                    $0.writeInteger(UInt16(role.sopClassUID.utf8.count))
                    $0.writeString(role.sopClassUID)
                    $0.writeInteger(UInt8(role.scuRole ? 1 : 0))
                    $0.writeInteger(UInt8(role.scpRole ? 1 : 0))
                }
            }
            if let name = info.implementationVersionName {
                item.writeItem(0x55) { $0.writeString(name) }
            }
            for negotiation in info.extendedNegotiations {
                item.writeItem(0x56) {
                    $0.writeInteger(UInt16(negotiation.sopClassUID.utf8.count))
                    $0.writeString(negotiation.sopClassUID)
                    $0.writeBytes(negotiation.applicationInformation)
                }
            }
            for unknown in info.unknownSubItems {
                item.writeItem(unknown.type) { $0.writeBytes(unknown.body) }
            }
        }
    }
}
