/// Device names for AttachVolume and where the attached disk shows up on a Linux host.
///
/// EC2 takes a name such as `/dev/sdf`; the host sees (first match wins):
/// 1. Xen PV guests with the `xen-blkfront` driver: `/dev/xvdf` (the `sd` → `xvd` rename);
/// 2. the name itself, `/dev/sdf`, on HVM guests and older kernels;
/// 3. some old RHEL/CentOS 6 kernels shift the letter by four: `/dev/sdf` → `/dev/xvdj`;
/// 4. Nitro instances expose EBS as NVMe: `/dev/nvmeNn1`, whose controller serial is the volume
///    ID without its dash (`vol0123…`), also linked as
///    `/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_vol0123…`.
public enum DeviceNames {
    /// What rancher-ebs attaches to: `/dev/sdf` … `/dev/sdz`.
    public static let attachCandidates: [String] = (UInt8(ascii: "f")...UInt8(ascii: "z")).map {
        "/dev/sd" + String(UnicodeScalar($0))
    }

    /// Host paths to look for, in order, for a volume attached as `device`.
    public static func hostCandidates(device: String, volumeID: String) -> [String] {
        var out: [String] = []
        let letter = device.hasPrefix("/dev/sd") ? String(device.dropFirst("/dev/sd".count))
            : device.hasPrefix("/dev/xvd") ? String(device.dropFirst("/dev/xvd".count)) : nil
        if let letter {
            out.append("/dev/xvd" + letter)
            out.append("/dev/sd" + letter)
            if letter.count == 1, let scalar = letter.unicodeScalars.first, scalar.value + 4 <= UInt32(UInt8(ascii: "z")) {
                out.append("/dev/xvd" + String(UnicodeScalar(scalar.value + 4)!))
            }
        } else {
            out.append(device)
        }
        out.append("/dev/disk/by-id/nvme-Amazon_Elastic_Block_Store_" + nvmeSerial(volumeID))
        return out
    }

    /// The NVMe controller serial of an EBS volume: its ID without the dash.
    public static func nvmeSerial(_ volumeID: String) -> String { volumeID.replacingOccurrences(of: "-", with: "") }

    /// True when a serial read from `/sys/block/nvme*/device/serial` belongs to `volumeID`.
    public static func serialMatches(_ serial: String, volumeID: String) -> Bool {
        serial.trimmingCharacters(in: .whitespacesAndNewlines) == nvmeSerial(volumeID)
    }
}

import Foundation
