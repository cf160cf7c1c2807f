import Foundation

/// TFRecord framing, the container of TensorBoard's event files: each record is
///
///     length (UInt64, little-endian) · masked CRC-32C of the length (UInt32)
///     data (length bytes)           · masked CRC-32C of the data (UInt32)
enum TFRecord {
    /// `data` framed as one record.
    static func frame(_ data: Data) -> Data {
        var out = Data(capacity: data.count + 16)
        let length = withUnsafeBytes(of: UInt64(data.count).littleEndian) { Data($0) }
        out.append(length)
        append(maskedCRC(length), to: &out)
        out.append(data)
        append(maskedCRC(data), to: &out)
        return out
    }

    /// The CRC-32C of `bytes` rotated and offset as TFRecord stores it, so that a CRC
    /// of data that itself holds CRCs stays well distributed.
    static func maskedCRC(_ bytes: Data) -> UInt32 {
        let crc = CRC32C.checksum(bytes)
        return ((crc >> 15) | (crc << 17)) &+ 0xA282_EAD8
    }

    private static func append(_ value: UInt32, to data: inout Data) {
        withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) }
    }
}

/// CRC-32C (Castagnoli, reflected polynomial 0x82F63B78), one table lookup per byte.
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { byte in
        var crc = UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0x82F6_3B78 : crc >> 1 }
        return crc
    }

    /// The checksum of `bytes` (`"123456789"` gives 0xE3069283).
    static func checksum(_ bytes: Data) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = table[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return ~crc
    }
}
