/// Builds a C array of C strings (`const char *const *`) in one contiguous buffer, for libpq's
/// parameter and keyword arrays, without a `strdup` per element. Pointers only live inside `with`.
enum CStringArray {
    static func with<R>(
        _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R
    ) -> R {
        var storage: [CChar] = []
        var offsets: [Int?] = []
        offsets.reserveCapacity(strings.count)
        for string in strings {
            guard let string else {
                offsets.append(nil)
                continue
            }
            offsets.append(storage.count)
            for byte in string.utf8 { storage.append(CChar(bitPattern: byte)) }
            storage.append(0)
        }
        return storage.withUnsafeBufferPointer { buffer in
            var pointers: [UnsafePointer<CChar>?] = []
            pointers.reserveCapacity(offsets.count)
            for offset in offsets {
                if let offset, let base = buffer.baseAddress {
                    pointers.append(base + offset)
                } else {
                    pointers.append(nil)
                }
            }
            // An empty Swift array may have no storage; libpq never reads past the count it is given.
            let nonEmpty = pointers.isEmpty ? [nil] : pointers
            return nonEmpty.withUnsafeBufferPointer { body($0.baseAddress!) }
        }
    }
}
