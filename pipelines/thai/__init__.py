"""Thai values, in and out.

- `parse`: what villages type → typed values (Thai digits, Buddhist Era dates and months,
  money, citizen IDs, yes/no, the listed sets); a ValueError says why in Thai and English.
- `fmt`: values → what people read (BE months, baht, percent, masked citizen IDs) and
  spreadsheet cells that never start a formula.
"""
