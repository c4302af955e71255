#if canImport(Glibc)
import Glibc
#endif

/// Builds a C array of C strings (`const char *const *`) for libpq's parameter and keyword arrays, in
/// scratch memory that lives only inside `with`: no `strdup` and no heap allocation per call (the probe
/// binds five parameters per write, thousands of times a second). Pointers only live inside `with`.
enum CStringArray {
    static func with<R>(
        _ strings: [String?], _ body: (UnsafePointer<UnsafePointer<CChar>?>) -> R
    ) -> R {
        var bytes = 0
        for string in strings { bytes += (string?.utf8.count ?? 0) + 1 }
        // An empty array still gets one (NULL) slot; libpq never reads past the count it is given.
        return withUnsafeTemporaryAllocation(of: UnsafePointer<CChar>?.self, capacity: max(1, strings.count)) { pointers in
            withUnsafeTemporaryAllocation(of: CChar.self, capacity: max(1, bytes)) { storage in
                let base = storage.baseAddress!
                var offset = 0
                pointers[0] = nil
                for (i, string) in strings.enumerated() {
                    guard var string else {
                        pointers[i] = nil
                        continue
                    }
                    let start = base + offset
                    let count = string.withUTF8 { utf8 in
                        if let source = utf8.baseAddress { memcpy(start, source, utf8.count) }
                        return utf8.count
                    }
                    start[count] = 0
                    pointers[i] = UnsafePointer(start)
                    offset += count + 1
                }
                return body(UnsafePointer(pointers.baseAddress!))
            }
        }
    }
}
