//! Which text encoding a file is in, and decoding it to UTF-8 as a stream.
//!
//! Health-management systems write Shift_JIS (in practice Windows-31J, CP932, with the NEC and
//! IBM extensions); newer ones and Excel's 「CSV UTF-8」 write UTF-8, usually with a BOM.
//! [`detect`] tells them apart from the first bytes; [`DecodingReader`] turns the whole input
//! into UTF-8 with constant memory. Bytes that are not valid in the detected encoding become
//! U+FFFD ([`REPLACEMENT`]); the CSV reader reports a field holding one as an error telling the
//! user to save the file again, so nothing is silently replaced.

use std::io::{self, Read};

use encoding_rs::{CoderResult, Decoder, SHIFT_JIS, UTF_8};

/// How many leading bytes [`detect`] looks at.
pub const DETECT_LEN: usize = 64 * 1024;

/// What a decoder puts where the input had bytes invalid in its encoding.
pub const REPLACEMENT: char = '\u{FFFD}';

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// The text encodings we read and write.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 starting with the byte-order mark EF BB BF (what Excel writes and needs to open a
    /// UTF-8 CSV correctly).
    Utf8Bom,
    /// Shift_JIS as Windows writes it (CP932 / Windows-31J).
    Cp932,
}

impl TextEncoding {
    /// The name to show, e.g. in an import summary.
    pub fn label(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 (BOM)",
            Self::Cp932 => "Shift_JIS (CP932)",
        }
    }
}

/// The encoding of a file whose first bytes are `head` (only the first [`DETECT_LEN`] are
/// looked at): a UTF-8 BOM means [`TextEncoding::Utf8Bom`]; otherwise valid UTF-8 (a
/// multi-byte character cut off at the end of `head` allowed) means [`TextEncoding::Utf8`];
/// anything else is taken as [`TextEncoding::Cp932`].
///
/// ASCII-only text is valid UTF-8; a CP932 file whose first 64 KiB are pure ASCII is therefore
/// read as UTF-8 and its later Japanese text is reported as invalid, never silently mangled.
pub fn detect(head: &[u8]) -> TextEncoding {
    if head.starts_with(UTF8_BOM) {
        return TextEncoding::Utf8Bom;
    }
    let head = &head[..head.len().min(DETECT_LEN)];
    match std::str::from_utf8(head) {
        Ok(_) => TextEncoding::Utf8,
        // `error_len() == None`: the text is valid up to a character cut off by the window.
        Err(e) if e.error_len().is_none() => TextEncoding::Utf8,
        Err(_) => TextEncoding::Cp932,
    }
}

/// Whether `head` starts with a UTF-16 byte-order mark (Excel's 「Unicode テキスト」), which we
/// refuse with a hint instead of decoding garbage.
pub fn is_utf16(head: &[u8]) -> bool {
    head.starts_with(b"\xFF\xFE") || head.starts_with(b"\xFE\xFF")
}

/// A `Read` that yields the UTF-8 text of `inner`, which is in `encoding`. A UTF-8 BOM is
/// dropped. Memory use is two fixed buffers, whatever the input size.
pub struct DecodingReader<R> {
    inner: R,
    decoder: Decoder,
    input: Box<[u8]>,
    in_start: usize,
    in_end: usize,
    output: Box<[u8]>,
    out_start: usize,
    out_end: usize,
    input_done: bool,
    finished: bool,
    replaced: bool,
}

impl<R: Read> DecodingReader<R> {
    const INPUT_LEN: usize = 32 * 1024;
    // Any size of at least 4 (one character) is correct: the decoder stops with `OutputFull`.
    const OUTPUT_LEN: usize = 4 * 1024;
    const DIRECT_MIN: usize = 256;

    pub fn new(inner: R, encoding: TextEncoding) -> Self {
        let decoder = match encoding {
            TextEncoding::Utf8 | TextEncoding::Utf8Bom => UTF_8.new_decoder_with_bom_removal(),
            TextEncoding::Cp932 => SHIFT_JIS.new_decoder_without_bom_handling(),
        };
        Self {
            inner,
            decoder,
            input: vec![0; Self::INPUT_LEN].into_boxed_slice(),
            in_start: 0,
            in_end: 0,
            output: vec![0; Self::OUTPUT_LEN].into_boxed_slice(),
            out_start: 0,
            out_end: 0,
            input_done: false,
            finished: false,
            replaced: false,
        }
    }

    /// Whether any invalid byte has been replaced by U+FFFD so far.
    pub fn had_invalid_bytes(&self) -> bool {
        self.replaced
    }

    /// Decodes the next piece into `dst`; returns 0 only at the end of the input.
    fn decode_into(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        while !self.finished {
            if self.in_start == self.in_end && !self.input_done {
                let n = read_retrying(&mut self.inner, &mut self.input)?;
                self.in_start = 0;
                self.in_end = n;
                self.input_done = n == 0;
            }
            let (result, read, written, replaced) = self.decoder.decode_to_utf8(
                &self.input[self.in_start..self.in_end],
                dst,
                self.input_done,
            );
            self.in_start += read;
            self.replaced |= replaced;
            if self.input_done && result == CoderResult::InputEmpty {
                self.finished = true;
            }
            if written > 0 {
                return Ok(written);
            }
        }
        Ok(0)
    }
}

fn read_retrying(inner: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    loop {
        match inner.read(buf) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            other => return other,
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.out_start == self.out_end {
            // Large reads (the CSV parser's) are decoded in place, saving a copy; tiny ones go
            // through our buffer because a character may not fit.
            if buf.len() >= Self::DIRECT_MIN {
                return self.decode_into(buf);
            }
            let mut output = std::mem::take(&mut self.output);
            let written = self.decode_into(&mut output);
            self.output = output;
            self.out_start = 0;
            self.out_end = written?;
        }
        let available = &self.output[self.out_start..self.out_end];
        let n = available.len().min(buf.len());
        buf[..n].copy_from_slice(&available[..n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn decode_all(bytes: &[u8], encoding: TextEncoding, chunk: usize) -> String {
        let mut reader = DecodingReader::new(bytes, encoding);
        let mut out = Vec::new();
        let mut buf = vec![0; chunk];
        loop {
            let n = reader.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            out.extend_from_slice(&buf[..n]);
        }
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn detect_recognises_bom_utf8_and_cp932() {
        assert_eq!(detect(b"\xEF\xBB\xBFabc"), TextEncoding::Utf8Bom);
        assert_eq!(detect("個人番号,氏名".as_bytes()), TextEncoding::Utf8);
        let (sjis, _, _) = SHIFT_JIS.encode("個人番号,氏名");
        assert_eq!(detect(&sjis), TextEncoding::Cp932);
        assert_eq!(detect(b""), TextEncoding::Utf8);
    }

    #[test]
    fn detect_allows_a_character_cut_at_the_end_of_the_window() {
        let text = "あ".repeat(DETECT_LEN / 3 + 1);
        let head = &text.as_bytes()[..DETECT_LEN];
        assert_eq!(detect(head), TextEncoding::Utf8);
    }

    #[test]
    fn decoding_cp932_works_in_tiny_reads_and_with_the_nec_extensions() {
        let text = "①髙﨑ｶﾞｸ,〓\r\n".repeat(5000);
        let (sjis, _, unmappable) = SHIFT_JIS.encode(&text);
        assert!(!unmappable);
        assert_eq!(decode_all(&sjis, TextEncoding::Cp932, 1), text);
        assert_eq!(decode_all(&sjis, TextEncoding::Cp932, 100_000), text);
    }

    #[test]
    fn decoding_drops_the_bom_and_marks_invalid_bytes() {
        assert_eq!(
            decode_all(b"\xEF\xBB\xBFab", TextEncoding::Utf8Bom, 7),
            "ab"
        );
        let mut reader = DecodingReader::new(&b"a\xFFb"[..], TextEncoding::Utf8);
        let mut out = String::new();
        reader.read_to_string(&mut out).unwrap();
        assert_eq!(out, "a\u{FFFD}b");
        assert!(reader.had_invalid_bytes());
    }
}
