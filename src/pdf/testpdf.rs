//! Small PDFs written from scratch for tests and fuzz seeds: pages of text
//! at given positions, in Helvetica (a standard font, WinAnsi) or in a
//! Korean CID font that is not embedded (UniKS-UCS2-H), plus the ways a
//! file goes wrong on a drive. Not used by the program itself.

/// One run of text on a page: position in points from the bottom left,
/// size, and the text.
#[derive(Clone, Debug)]
pub struct Run<'a> {
    pub x: f32,
    pub y: f32,
    pub size: f32,
    pub text: &'a str,
    /// Drawn reflected left to right (as `\reflectbox` draws it): each
    /// glyph runs backwards from its origin, so the run starts at its
    /// right end.
    pub mirrored: bool,
}

impl<'a> Run<'a> {
    pub fn at(x: f32, y: f32, text: &'a str) -> Run<'a> {
        Run {
            x,
            y,
            size: 12.0,
            text,
            mirrored: false,
        }
    }

    /// A run drawn reflected whose left edge is at `x`, `width` wide.
    pub fn mirrored(x: f32, y: f32, width: f32, text: &'a str) -> Run<'a> {
        Run {
            x: x + width,
            mirrored: true,
            ..Run::at(x, y, text)
        }
    }
}

/// A PDF whose page `i` shows `pages[i]`. Runs whose text is all ASCII
/// use Helvetica; the others a non-embedded Korean font.
pub fn pdf(pages: &[Vec<Run<'_>>]) -> Vec<u8> {
    pdf_with(pages, None)
}

/// The same, with an `/Encrypt` dictionary that needs a user password
/// (standard security handler, revision 4, AES; the password check fails).
pub fn encrypted_pdf(pages: &[Vec<Run<'_>>]) -> Vec<u8> {
    pdf_with(
        pages,
        Some(
            "<< /Filter /Standard /V 4 /R 4 /Length 128 /P -1028 \
             /O <0011223344556677889900112233445566778899001122334455667788990011> \
             /U <FFEEDDCCBBAA99887766554433221100FFEEDDCCBBAA99887766554433221100> \
             /CF << /StdCF << /CFM /AESV2 /AuthEvent /DocOpen /Length 16 >> >> \
             /StmF /StdCF /StrF /StdCF >>",
        ),
    )
}

fn pdf_with(pages: &[Vec<Run<'_>>], encrypt: Option<&str>) -> Vec<u8> {
    // Objects: 1 catalog, 2 page tree, 3 Helvetica, 4 Korean Type0,
    // 5 its CIDFont, [6 encrypt], then a page and its content per page.
    let first_page = 7;
    let mut objects: Vec<Vec<u8>> = Vec::new();
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", first_page + 2 * i))
        .collect();
    objects.push(b"<< /Type /Catalog /Pages 2 0 R >>".to_vec());
    objects.push(
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        )
        .into_bytes(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"
            .to_vec(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /Type0 /BaseFont /HYSMyeongJo-Medium /Encoding /UniKS-UCS2-H \
          /DescendantFonts [5 0 R] >>"
            .to_vec(),
    );
    objects.push(
        b"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /HYSMyeongJo-Medium \
          /CIDSystemInfo << /Registry (Adobe) /Ordering (Korea1) /Supplement 1 >> \
          /DW 1000 /FontDescriptor << /Type /FontDescriptor /FontName /HYSMyeongJo-Medium \
          /Flags 6 /FontBBox [0 -148 1001 880] /ItalicAngle 0 /Ascent 880 /Descent -120 \
          /CapHeight 880 /StemV 60 >> >>"
            .to_vec(),
    );
    objects.push(encrypt.unwrap_or("<< >>").as_bytes().to_vec());
    for (i, runs) in pages.iter().enumerate() {
        let content = content_stream(runs);
        objects.push(
            format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] \
                 /Resources << /Font << /F1 3 0 R /K1 4 0 R >> >> /Contents {} 0 R >>",
                first_page + 2 * i + 1
            )
            .into_bytes(),
        );
        let mut stream = format!("<< /Length {} >>\nstream\n", content.len()).into_bytes();
        stream.extend_from_slice(&content);
        stream.extend_from_slice(b"\nendstream");
        objects.push(stream);
    }
    let mut out = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
        out.extend_from_slice(body);
        out.extend_from_slice(b"\nendobj\n");
    }
    let xref = out.len();
    out.extend_from_slice(
        format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes(),
    );
    for off in offsets {
        out.extend_from_slice(format!("{off:010} 00000 n \n").as_bytes());
    }
    let enc = if encrypt.is_some() {
        " /Encrypt 6 0 R /ID [<00112233445566778899AABBCCDDEEFF> <00112233445566778899AABBCCDDEEFF>]"
    } else {
        ""
    };
    out.extend_from_slice(
        format!(
            "trailer\n<< /Size {} /Root 1 0 R{enc} >>\nstartxref\n{xref}\n%%EOF\n",
            objects.len() + 1
        )
        .as_bytes(),
    );
    out
}

fn content_stream(runs: &[Run<'_>]) -> Vec<u8> {
    let mut s = Vec::new();
    for r in runs {
        s.extend_from_slice(b"BT\n");
        let sx = if r.mirrored { -1 } else { 1 };
        if r.text.is_ascii() {
            s.extend_from_slice(
                format!("/F1 {} Tf\n{sx} 0 0 1 {} {} Tm\n(", r.size, r.x, r.y).as_bytes(),
            );
            for b in r.text.bytes() {
                if matches!(b, b'(' | b')' | b'\\') {
                    s.push(b'\\');
                }
                s.push(b);
            }
            s.extend_from_slice(b") Tj\n");
        } else {
            s.extend_from_slice(
                format!("/K1 {} Tf\n{sx} 0 0 1 {} {} Tm\n<", r.size, r.x, r.y).as_bytes(),
            );
            for unit in r.text.encode_utf16() {
                s.extend_from_slice(format!("{unit:04X}").as_bytes());
            }
            s.extend_from_slice(b"> Tj\n");
        }
        s.extend_from_slice(b"ET\n");
    }
    s
}
