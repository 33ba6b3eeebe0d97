-- The language of the text has its own parameter in library searches: `language` (ADR 035).
-- `lang` chooses the interface language, as everywhere else. Stored searches are canonical URL
-- queries in which `lang` could only be the old name of the filter, so it is renamed in place;
-- the values are URL-encoded, so `&lang=` cannot occur inside another parameter's value.
update saved_searches
   set query = regexp_replace(query, '(^|&)lang=', '\1language=', 'g')
 where query ~ '(^|&)lang=';
