"""Operations: what runs the stages for people and for cron. `steps` (shared by the command
line and the monthly run), `monthly` (the unattended month-end with its manifest),
`export` (the views for other tools), `template` (a blank workbook for a village) and
`console` (what is printed)."""
