import NIOCore

/// User Information item parsing (PS3.8 §9.3.2.3, PS3.7 Annex D.3.3): sub-items 0x51–0x56 interpreted,
/// others kept as `UnknownSubItem`.
extension PDUParser {
    // MARK: User information (PS3.7 Annex D.3.3)

    static func parseUserInformation(_ item: inout PDUReader) throws -> UserInformation {
        var info = UserInformation()
        while !item.isAtEnd {
            var sub = try readSubItem(&item)
            switch sub.type {
            case 0x51:
                guard sub.body.remaining == 4 else {
                    throw sub.body.error(
                        "maximum-length-received sub-item length", expected: "4",
                        found: "\(sub.body.remaining)", at: sub.offset + 2)
                }
                info.maximumLength = try sub.body.readUInt32("maximum-length-received")
            case 0x52:
                info.implementationClassUID = try sub.body.readTrimmedString(
                    sub.body.remaining, "implementation-class-uid")
            case 0x53:
                let invoked = try sub.body.readUInt16("maximum-number-operations-invoked")
                let performed = try sub.body.readUInt16("maximum-number-operations-performed")
                info.asynchronousOperationsWindow = AsynchronousOperationsWindow(
                    maximumOperationsInvoked: invoked, maximumOperationsPerformed: performed)
            case 0x54:
                let uidLength = try sub.body.readUInt16("UID-length")
                let uid = try sub.body.readTrimmedString(Int(uidLength), "SOP-class-uid")
                let scu = try sub.body.readUInt8("SCU-role")
                let scp = try sub.body.readUInt8("SCP-role")
                info.roleSelections.append(RoleSelection(sopClassUID: uid, scuRole: scu != 0, scpRole: scp != 0))
            case 0x55:
                info.implementationVersionName = try sub.body.readTrimmedString(
                    sub.body.remaining,
                    "implementation-version-name")
            case 0x56:
                let uidLength = try sub.body.readUInt16("SOP-class-uid-length")
                let uid = try sub.body.readTrimmedString(Int(uidLength), "SOP-class-uid")
                let information = try sub.body.readBytes(sub.body.remaining, "service-class-application-information")
                info.extendedNegotiations.append(
                    ExtendedNegotiation(sopClassUID: uid, applicationInformation: information))
            default:
                let body = try sub.body.readBytes(sub.body.remaining, "user information sub-item")
                info.unknownSubItems.append(UnknownSubItem(type: sub.type, body: body))
            }
        }
        return info
    }
}
