-- Frequent words of the library. A word found in a large share of the search documents (say
-- "trafficking" in an anti-trafficking library of a million documents) matches hundreds of
-- thousands of rows: reading them all through the GIN index only to rank the first thousand
-- costs time in proportion to the library. For each such word (its lexeme, as stemmed by one of
-- the configurations), search_word_top keeps the documents that score best for that word alone,
-- up to a list size; a query made only of frequent words reads its candidates from these lists
-- and ranks them with the whole query, in time that does not grow with the library.
--
-- Which words are frequent, and the lists' first filling, are the upkeep's work (the domain's
-- maintainFrequentWords, from the column statistics of publication_search.tsv). A document
-- written afterwards joins the list of each frequent word it has when it scores above the
-- list's floor (the trigger below); a document removed leaves every list (foreign key).

create table search_frequent_words (
  lexeme      text primary key,
  -- Documents with the word when its list was filled (from the statistics): shown as an estimate.
  documents   integer not null,
  -- The lowest score in the list when it was filled or trimmed: a new document above it joins.
  floor_score real not null default 0,
  filled_at   timestamptz not null default now()
);

create table search_word_top (
  lexeme         text not null references search_frequent_words (lexeme) on delete cascade,
  publication_id text not null,
  lang           text not null,
  score          real not null,
  primary key (lexeme, publication_id, lang),
  foreign key (publication_id, lang) references publication_search (publication_id, lang) on delete cascade
);
create index search_word_top_score_idx on search_word_top (lexeme, score desc);
-- The foreign key's cascade finds a document's entries by this index.
create index search_word_top_document_idx on search_word_top (publication_id, lang);

-- An entry written again replaces the one there (a restore writes the lists after the documents,
-- whose insertion may already have listed them).
create function search_word_top_replace() returns trigger language plpgsql as $$
begin
  delete from search_word_top t where t.lexeme = new.lexeme and t.publication_id = new.publication_id and t.lang = new.lang;
  return new;
end;
$$;
create trigger search_word_top_replace before insert on search_word_top for each row execute function search_word_top_replace();

-- A lexeme as a tsquery of that lexeme alone, whatever characters it holds.
create function lexeme_query(lexeme text) returns tsquery language sql immutable strict parallel safe as $$
  select format('''%s''', replace(replace(lexeme, '\', '\\'), '''', ''''''))::tsquery
$$;

-- Weights of D, C, B, A as the search ranks them (src/db/queries/search.ts RANK_WEIGHTS).
create function search_word_top_add() returns trigger language plpgsql as $$
begin
  insert into search_word_top (lexeme, publication_id, lang, score)
  select w.lexeme, n.publication_id, n.lang, s.score
    from new_rows n
    cross join lateral unnest(tsvector_to_array(n.tsv)) as l(lexeme)
    join search_frequent_words w on w.lexeme = l.lexeme
    cross join lateral (select ts_rank('{0.1,0.2,0.4,1.0}'::real[], n.tsv, lexeme_query(w.lexeme), 1) as score) s
   where n.visibility <> 'draft' and s.score > w.floor_score
  on conflict (lexeme, publication_id, lang) do update set score = excluded.score;
  return null;
end;
$$;
create trigger publication_search_word_top after insert on publication_search
  referencing new table as new_rows for each statement execute function search_word_top_add();
