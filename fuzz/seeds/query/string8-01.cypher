CREATE (:TheLabel {name: 'ABCDEF'}), (:TheLabel {name: 'AB'}),
(:TheLabel {name: 'abcdef'}), (:TheLabel {name: 'ab'}),
(:TheLabel {name: ''}), (:TheLabel)
;
MATCH (a)
WHERE a.name STARTS WITH ''
RETURN a