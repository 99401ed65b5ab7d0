//! The catalogue of reporting: every noun's datasets, in the order `/export` lists them. A noun
//! that feeds reporting adds its `reporting::datasets()` here.

use crate::reporting::Catalogue;

/// Every dataset of every noun.
pub fn catalogue() -> Catalogue {
    let mut all = Vec::new();
    all.extend(crate::organisation::reporting::datasets());
    all.extend(crate::collaboration::reporting::datasets());
    all.extend(crate::volunteers::reporting::datasets());
    all.extend(crate::deliberation::reporting::datasets());
    all.extend(crate::home::reporting::datasets());
    all.into()
}
