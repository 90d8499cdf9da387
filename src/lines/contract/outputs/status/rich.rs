//! `status`'s rich format as Rich lays it out on a console `width` cells wide: click's
//! `Roadmap Status` line (never wrapped), then each table borderless (`box=None`, a cell of
//! padding each side) under its title, centred. Columns keep their declared widths while the
//! table fits the console. On a narrower one (a terminal: piped, the console is 80 wide) Rich
//! takes the excess off the columns evenly, and a cell too long for its column ends in `…`
//! (captured at 40 and 30 columns: `Clos…`).

use super::Snapshot;

/// The text, or `None` where Rich would wrap a cell or a title (a count wider than its
/// declared column, a table's title wider than the table) or leave a column no room.
pub(super) fn rich(tables: &[Snapshot; 2], width: usize) -> Option<String> {
    if !fits(tables) {
        return None;
    }
    let mut out = String::from("Roadmap Status\n");
    for (index, table) in tables.iter().enumerate() {
        let widths = column_widths(table, width)?;
        let total: usize = widths.iter().map(|w| w + 2).sum();
        let excess = total.checked_sub(table.title.len())?;
        let left = excess / 2;
        out.push_str(&" ".repeat(left));
        out.push_str(table.title);
        out.push_str(&" ".repeat(excess - left));
        out.push('\n');
        let header: Vec<String> = table
            .columns
            .iter()
            .map(|(_, h, _)| (*h).to_owned())
            .collect();
        for row in std::iter::once(header).chain(table.cells()) {
            for (cell, width) in row.iter().zip(&widths) {
                out.push(' ');
                out.push_str(&fitted(cell, *width));
                out.push(' ');
            }
            out.push('\n');
        }
        if index == 0 {
            out.push('\n');
        }
    }
    Some(out)
}

/// Whether every cell fits its declared width (else Rich cuts it, which no capture shows for a
/// count).
fn fits(tables: &[Snapshot; 2]) -> bool {
    tables.iter().all(|t| {
        t.cells().iter().all(|row| {
            row.iter()
                .zip(t.columns)
                .all(|(c, (_, _, w))| c.len() <= *w)
        })
    })
}

/// Each column's width inside its padding: the declared one while the table fits in `width`,
/// else Rich's last resort for fixed widths, `ratio_reduce(excess, [1] * n, widths, widths)`
/// over the padded widths. `None` when a column is left without a cell of room.
fn column_widths(table: &Snapshot, width: usize) -> Option<Vec<usize>> {
    let padded: Vec<usize> = table.columns.iter().map(|(_, _, w)| w + 2).collect();
    let total: usize = padded.iter().sum();
    let mut excess = total.saturating_sub(width);
    let mut columns_left = padded.len();
    let mut widths = Vec::with_capacity(padded.len());
    for column in padded {
        let taken = column.min(round_half_even(excess, columns_left));
        excess -= taken;
        columns_left -= 1;
        widths.push((column - taken).checked_sub(2).filter(|w| *w > 0)?);
    }
    Some(widths)
}

/// Python's `round(a / b)`: to the nearest integer, a half to the even one (a half is exact in
/// a float, so the integer answer is the float's).
fn round_half_even(a: usize, b: usize) -> usize {
    let (quotient, remainder) = (a / b, a % b);
    match (2 * remainder).cmp(&b) {
        std::cmp::Ordering::Greater => quotient + 1,
        std::cmp::Ordering::Equal => quotient + quotient % 2,
        std::cmp::Ordering::Less => quotient,
    }
}

/// `cell` padded to `width`, or cut to `width - 1` characters and `…` (Rich's
/// `overflow="ellipsis"`; the cells are ASCII, one cell per character).
fn fitted(cell: &str, width: usize) -> String {
    if cell.len() <= width {
        format!("{cell:<width$}")
    } else {
        format!("{}…", &cell[..width - 1])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_rounds_a_half_to_the_even_integer() {
        let rounded: Vec<usize> = [(5, 2), (7, 2), (8, 3), (7, 3), (0, 4)]
            .iter()
            .map(|&(a, b)| round_half_even(a, b))
            .collect();
        assert_eq!(rounded, [2, 4, 3, 2, 0]);
    }

    #[test]
    fn a_cell_too_long_for_its_column_ends_in_an_ellipsis() {
        assert_eq!(fitted("Closed", 5), "Clos…");
        assert_eq!(fitted("Open", 5), "Open ");
    }
}
