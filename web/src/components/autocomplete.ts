// The option type of BaseAutocomplete, kept apart so plain modules can import it.

export interface AutocompleteOption {
  /** Unique among the options (e.g. `user:<id>`). */
  key: string
  label: string
  detail?: string
  avatar?: string | null
  /** Shown as a small badge after the label ("Team"). */
  badge?: string
  /** Rounded-square avatar (teams). */
  square?: boolean
}
