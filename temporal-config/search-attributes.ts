import { SearchAttributeType } from '@temporalio/common';
import { ITSM_SEARCH_ATTRIBUTES } from '../domain/search-attributes';

// The keys live in domain/ so workflows can use them; this module adds what the dev-server launcher needs.
export * from '../domain/search-attributes';

const CLI_TYPE_NAMES: Record<SearchAttributeType, string> = {
  [SearchAttributeType.TEXT]: 'Text',
  [SearchAttributeType.KEYWORD]: 'Keyword',
  [SearchAttributeType.INT]: 'Int',
  [SearchAttributeType.DOUBLE]: 'Double',
  [SearchAttributeType.BOOL]: 'Bool',
  [SearchAttributeType.DATETIME]: 'Datetime',
  [SearchAttributeType.KEYWORD_LIST]: 'KeywordList',
};

/** `--search-attribute Name=Type` arguments for `temporal server start-dev`. */
export function searchAttributeFlags(): string[] {
  return ITSM_SEARCH_ATTRIBUTES.flatMap((key) => ['--search-attribute', `${key.name}=${CLI_TYPE_NAMES[key.type]}`]);
}
