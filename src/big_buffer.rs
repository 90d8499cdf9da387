//! Room for a reply of many megabytes, reserved once and backed by huge pages where the
//! system offers them. A served `issue list` of 10k issues writes 10.8 MB; touching it a 4 KiB
//! page at a time was 2,600 page faults, a tenth of the command on this project's VM. The
//! hint changes no byte: where it is refused (no transparent huge pages, another system),
//! the buffer is an ordinary one.

/// A transparent huge page on x86-64 and aarch64 (4 KiB base pages).
const HUGE_PAGE: usize = 2 << 20;

/// Reserves `additional` bytes at the end of `text` and asks for huge pages under the whole
/// 2 MiB pages of that room.
pub fn reserve(text: &mut String, additional: usize) {
    text.reserve(additional);
    advise_spare(
        text.as_ptr() as usize + text.len(),
        text.capacity() - text.len(),
    );
}

/// [`reserve`] for bytes.
pub fn reserve_bytes(bytes: &mut Vec<u8>, additional: usize) {
    bytes.reserve(additional);
    advise_spare(
        bytes.as_ptr() as usize + bytes.len(),
        bytes.capacity() - bytes.len(),
    );
}

/// Asks for huge pages under the whole 2 MiB pages of the `spare` bytes from `start`.
fn advise_spare(start: usize, spare: usize) {
    if spare < 2 * HUGE_PAGE {
        return;
    }
    let aligned = start.next_multiple_of(HUGE_PAGE);
    let end = (start + spare) / HUGE_PAGE * HUGE_PAGE;
    if end > aligned {
        advise_huge_pages(aligned, end - aligned);
    }
}

#[cfg(target_os = "linux")]
fn advise_huge_pages(start: usize, len: usize) {
    // SAFETY: the range lies inside an allocation the caller owns (its spare capacity), starts
    // on a page boundary, and MADV_HUGEPAGE only changes how the kernel backs those pages, not
    // their contents or whether they are mapped. A failure is ignored: the hint is optional.
    unsafe {
        libc::madvise(start as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    }
}

#[cfg(not(target_os = "linux"))]
fn advise_huge_pages(_start: usize, _len: usize) {}

#[cfg(test)]
mod tests {
    #[test]
    fn a_reserved_buffer_keeps_its_text_and_takes_what_is_written() {
        let mut text = String::from("head\n");
        super::reserve(&mut text, 9 << 20);
        assert!(text.capacity() >= (9 << 20) + 5);
        let line = "│ a line of the panel │\n";
        while text.len() < 8 << 20 {
            text.push_str(line);
        }
        assert!(text.starts_with("head\n│ a line"));
        assert_eq!(
            text[5..].matches(line).count(),
            (text.len() - 5) / line.len()
        );
    }
}
