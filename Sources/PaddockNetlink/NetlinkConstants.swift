/// rtnetlink numbers from <linux/netlink.h>, <linux/rtnetlink.h>, <linux/if_link.h>,
/// <linux/neighbour.h> and <linux/if_addr.h>. They are kernel ABI and never change; spelled out
/// here so the Swift layer needs no kernel headers.
enum NL {
    static let familyRoute: Int32 = 0 // NETLINK_ROUTE
    static let afNetlink: Int32 = 16
    static let afUnspec: UInt8 = 0
    static let afInet: UInt8 = 2
    static let afBridge: UInt8 = 7
    static let solNetlink: Int32 = 270
    static let extAckOption: Int32 = 11 // NETLINK_EXT_ACK

    // nlmsghdr flags
    static let request: UInt16 = 0x1
    static let multi: UInt16 = 0x2
    static let ack: UInt16 = 0x4
    static let dump: UInt16 = 0x300
    static let replace: UInt16 = 0x100
    static let exclusive: UInt16 = 0x200
    static let create: UInt16 = 0x400
    static let append: UInt16 = 0x800
    static let ackTLVs: UInt16 = 0x200 // on NLMSG_ERROR: extended ack attributes follow

    // message types
    static let noop: UInt16 = 1
    static let error: UInt16 = 2
    static let done: UInt16 = 3
    static let newLink: UInt16 = 16, delLink: UInt16 = 17, getLink: UInt16 = 18, setLink: UInt16 = 19
    static let newAddr: UInt16 = 20, delAddr: UInt16 = 21, getAddr: UInt16 = 22
    static let newRoute: UInt16 = 24, delRoute: UInt16 = 25, getRoute: UInt16 = 26
    static let newNeigh: UInt16 = 28, delNeigh: UInt16 = 29, getNeigh: UInt16 = 30

    // IFLA_*
    static let iflaAddress: UInt16 = 1, iflaIfname: UInt16 = 3, iflaMTU: UInt16 = 4, iflaLink: UInt16 = 5
    static let iflaMaster: UInt16 = 10, iflaOperstate: UInt16 = 16, iflaLinkinfo: UInt16 = 18
    static let iflaNetNsFd: UInt16 = 28
    static let iflaProtinfo: UInt16 = 12, brportMode: UInt16 = 4 // IFLA_PROTINFO, IFLA_BRPORT_MODE (hairpin)
    static let iflaInfoKind: UInt16 = 1, iflaInfoData: UInt16 = 2
    static let vethInfoPeer: UInt16 = 1
    // IFLA_VXLAN_*
    static let vxlanID: UInt16 = 1, vxlanLink: UInt16 = 3, vxlanLocal: UInt16 = 4, vxlanTTL: UInt16 = 5
    static let vxlanLearning: UInt16 = 7, vxlanProxy: UInt16 = 11, vxlanL2miss: UInt16 = 13
    static let vxlanL3miss: UInt16 = 14, vxlanPort: UInt16 = 15

    static let iffUp: UInt32 = 0x1

    // IFA_*
    static let ifaAddress: UInt16 = 1, ifaLocal: UInt16 = 2

    // rtmsg / RTA_*
    static let rtaDst: UInt16 = 1, rtaOif: UInt16 = 4, rtaGateway: UInt16 = 5, rtaPriority: UInt16 = 6
    static let rtaPrefsrc: UInt16 = 7, rtaTable: UInt16 = 15
    static let tableMain: UInt8 = 254
    static let protoBoot: UInt8 = 3
    static let routeUnicast: UInt8 = 1
    static let flagOnlink: UInt32 = 0x4 // RTNH_F_ONLINK

    // ndmsg / NDA_*
    static let ndaDst: UInt16 = 1, ndaLladdr: UInt16 = 2
    static let nudNoarp: UInt16 = 0x40, nudPermanent: UInt16 = 0x80
    static let ntfSelf: UInt8 = 0x02

    static let nestedFlag: UInt16 = 0x8000 // NLA_F_NESTED
}
