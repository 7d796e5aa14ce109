/// A null-terminated `char *[]` built from Swift strings, freed when it goes away. Built before a
/// `fork`, so that the child does not allocate between `fork` and `exec`.
final class CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { string in
            let text = string.utf8CString
            let copy = UnsafeMutablePointer<CChar>.allocate(capacity: text.count)
            text.withUnsafeBufferPointer { copy.initialize(from: $0.baseAddress!, count: $0.count) }
            return copy
        } + [nil]
    }

    deinit { pointers.forEach { $0?.deallocate() } }

    func withPointer<R>(_ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> R) -> R {
        pointers.withUnsafeBufferPointer { body($0.baseAddress!) }
    }
}
