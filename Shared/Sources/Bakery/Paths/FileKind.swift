// What a path is, without following a link at its end.
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// What a path is, without following a link at its end.
public enum FileKind: Sendable, Equatable {
    case missing
    case regular
    case directory
    case symlink(target: String)
    case fifo
    case socket
    case characterDevice
    case blockDevice
    case other

    /// "a FIFO (named pipe)", "a directory", … for messages.
    public var words: String {
        switch self {
        case .missing: "missing"
        case .regular: "a regular file"
        case .directory: "a directory"
        case .symlink(let target): "a symbolic link to '\(target)'"
        case .fifo: "a FIFO (named pipe)"
        case .socket: "a socket"
        case .characterDevice: "a character device"
        case .blockDevice: "a block device"
        case .other: "not a regular file"
        }
    }

    init(mode: mode_t, target: @autoclosure () -> String) {
        switch mode & S_IFMT {
        case S_IFREG: self = .regular
        case S_IFDIR: self = .directory
        case S_IFLNK: self = .symlink(target: target())
        case S_IFIFO: self = .fifo
        case S_IFSOCK: self = .socket
        case S_IFCHR: self = .characterDevice
        case S_IFBLK: self = .blockDevice
        default: self = .other
        }
    }
}
