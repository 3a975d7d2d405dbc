-- Validation changes no shape: nothing to undo (the down of the previous migration drops the column).
SELECT 1;
