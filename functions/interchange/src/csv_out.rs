//! Writing CSV in the encoding the receiving system reads: CP932 for most health-management
//! systems and Excel, UTF-8 with a BOM for newer ones. Lines end in CRLF; a field is quoted
//! when it holds a comma, a quote or a line break.
//!
//! A character CP932 cannot represent (e.g. 𠮷, emoji) becomes 〓 (U+3013, 下駄記号, the
//! Japanese convention for "a character that could not be printed") and is counted, never an
//! HTML entity such as `&#134071;`, which a health-management system would store as text.

use std::io::{self, Write};

use encoding_rs::{Encoder, EncoderResult, SHIFT_JIS};

use crate::encoding::TextEncoding;

/// 〓 in CP932.
const GETA_CP932: [u8; 2] = [0x81, 0xAC];
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
const FLUSH_AT: usize = 64 * 1024;

/// A CSV writer into `W` in a chosen encoding. Call [`CsvWriter::finish`] at the end: it
/// flushes the internal buffer.
pub struct CsvWriter<W: Write> {
    out: W,
    encoder: Option<Encoder>,
    bom_pending: bool,
    line: String,
    buffer: Vec<u8>,
    replaced: u64,
}

impl<W: Write> CsvWriter<W> {
    /// A writer in `encoding` ([`TextEncoding::Utf8`] writes no BOM).
    pub fn new(out: W, encoding: TextEncoding) -> Self {
        Self {
            out,
            encoder: (encoding == TextEncoding::Cp932).then(|| SHIFT_JIS.new_encoder()),
            bom_pending: encoding == TextEncoding::Utf8Bom,
            line: String::with_capacity(512),
            buffer: Vec::with_capacity(FLUSH_AT + 4096),
            replaced: 0,
        }
    }

    /// Writes one record.
    pub fn write_record<I, S>(&mut self, fields: I) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.line.clear();
        for (i, field) in fields.into_iter().enumerate() {
            if i > 0 {
                self.line.push(',');
            }
            push_field(&mut self.line, field.as_ref());
        }
        self.line.push_str("\r\n");
        self.encode_line();
        if self.buffer.len() >= FLUSH_AT {
            self.out.write_all(&self.buffer)?;
            self.buffer.clear();
        }
        Ok(())
    }

    /// How many characters were written as 〓 because CP932 cannot represent them.
    pub fn replaced_chars(&self) -> u64 {
        self.replaced
    }

    /// Writes out everything buffered and flushes `W`.
    pub fn flush(&mut self) -> io::Result<()> {
        self.out.write_all(&self.buffer)?;
        self.buffer.clear();
        self.out.flush()
    }

    /// Hands over what was written so far (the header included) and goes on into an empty
    /// output: exports send a file a chunk at a time this way.
    pub fn take_output(&mut self) -> io::Result<W>
    where
        W: Default,
    {
        self.flush()?;
        Ok(std::mem::take(&mut self.out))
    }

    /// Flushes and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        if self.bom_pending {
            // An empty UTF-8 file still announces its encoding, as Excel expects.
            self.buffer.extend_from_slice(UTF8_BOM);
            self.bom_pending = false;
        }
        self.flush()?;
        Ok(self.out)
    }

    fn encode_line(&mut self) {
        if self.bom_pending {
            self.buffer.extend_from_slice(UTF8_BOM);
            self.bom_pending = false;
        }
        let Some(encoder) = self.encoder.as_mut() else {
            self.buffer.extend_from_slice(self.line.as_bytes());
            return;
        };
        let mut src = self.line.as_str();
        loop {
            let room = encoder
                .max_buffer_length_from_utf8_without_replacement(src.len())
                .unwrap_or(src.len() * 2 + 16);
            let start = self.buffer.len();
            self.buffer.resize(start + room, 0);
            let (result, read, written) =
                encoder.encode_from_utf8_without_replacement(src, &mut self.buffer[start..], false);
            self.buffer.truncate(start + written);
            src = &src[read..];
            match result {
                EncoderResult::InputEmpty => return,
                EncoderResult::Unmappable(_) => {
                    self.buffer.extend_from_slice(&GETA_CP932);
                    self.replaced += 1;
                }
                EncoderResult::OutputFull => {}
            }
        }
    }
}

fn push_field(line: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        line.push('"');
        for c in field.chars() {
            if c == '"' {
                line.push('"');
            }
            line.push(c);
        }
        line.push('"');
    } else {
        line.push_str(field);
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn write(encoding: TextEncoding, rows: &[&[&str]]) -> (Vec<u8>, u64) {
        let mut writer = CsvWriter::new(Vec::new(), encoding);
        for row in rows {
            writer.write_record(*row).unwrap();
        }
        let replaced = writer.replaced_chars();
        (writer.finish().unwrap(), replaced)
    }

    #[test]
    fn a_file_taken_a_chunk_at_a_time_is_the_file_written_at_once() {
        let rows: Vec<Vec<String>> = (0..3_000)
            .map(|i| {
                vec![
                    format!("{i}"),
                    "ヤマダ　𠮷子".to_owned(),
                    "a,\"b\"".to_owned(),
                ]
            })
            .collect();
        for encoding in [
            TextEncoding::Cp932,
            TextEncoding::Utf8Bom,
            TextEncoding::Utf8,
        ] {
            let mut whole = CsvWriter::new(Vec::new(), encoding);
            let mut chunked = CsvWriter::new(Vec::new(), encoding);
            let mut chunks = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                whole.write_record(row).unwrap();
                chunked.write_record(row).unwrap();
                if i % 700 == 0 {
                    chunks.extend(chunked.take_output().unwrap());
                }
            }
            chunks.extend(chunked.finish().unwrap());
            assert_eq!(chunks, whole.finish().unwrap(), "{encoding:?}");
        }
    }

    #[test]
    fn fields_that_need_it_are_quoted_and_lines_end_in_crlf() {
        let (bytes, _) = write(
            TextEncoding::Utf8,
            &[&["a,b", "say \"hi\"", "two\nlines", "plain"]],
        );
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",plain\r\n"
        );
    }

    #[test]
    fn utf8_bom_is_written_once_even_for_an_empty_file() {
        let (bytes, _) = write(TextEncoding::Utf8Bom, &[&["a"], &["b"]]);
        assert_eq!(bytes, b"\xEF\xBB\xBFa\r\nb\r\n");
        let (empty, _) = write(TextEncoding::Utf8Bom, &[]);
        assert_eq!(empty, UTF8_BOM);
    }

    #[test]
    fn cp932_unmappable_characters_become_geta_and_are_counted() {
        let (bytes, replaced) = write(TextEncoding::Cp932, &[&["𠮷野家", "😀①髙"]]);
        assert_eq!(replaced, 2);
        let (text, _, had_errors) = SHIFT_JIS.decode(&bytes);
        assert!(!had_errors);
        assert_eq!(text, "〓野家,〓①髙\r\n");
        assert!(!bytes.windows(2).any(|w| w == b"&#"));
    }

    #[test]
    fn long_lines_and_many_rows_are_encoded_completely() {
        let long = "あ".repeat(100_000);
        let (bytes, replaced) = write(TextEncoding::Cp932, &[&[long.as_str()], &["x"]]);
        assert_eq!(replaced, 0);
        assert_eq!(bytes.len(), 200_000 + 2 + 3);
    }
}
